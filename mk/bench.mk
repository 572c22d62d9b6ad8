# SPDX-License-Identifier: Apache-2.0
# mk/bench.mk -- benchmarks: what mod_cors costs, side by side with no CORS,
# the usual SetEnvIf + Header + RewriteRule recipe, floor modules that answer
# CORS deciding nothing, and one that reads mod_cors's directives as no-ops.
#
#   make bench            all three parts, about 12 minutes on 2 cores;
#                         prints the tables and the goals and rewrites
#                         BENCHMARKS.md
#   make bench BENCH_PARTS=callgrind   only some parts (micro, callgrind,
#                         wrk); BENCHMARKS.md is then left alone and the
#                         tables go to bench/build/BENCHMARKS.partial.md
#
# Knobs (environment or make variables): BENCH_REQUESTS (1000 counted
# requests per configuration and kind under callgrind), BENCH_WARMUP (50),
# BENCH_PAUSE_MS (2 ms before each request under callgrind), BENCH_ROUNDS
# (5 wrk rounds), BENCH_SECONDS (3 s per wrk run), BENCH_CONNECTIONS (8).
# See bench/run.py.  Not a test: nothing here is in TEST_TARGETS or
# CI_TARGETS, and a missed goal does not fail the run.

BENCH_BUILD := bench/build
BENCH_MICRO := $(BENCH_BUILD)/micro
BENCH_FLOOR := $(BENCH_BUILD)/floor/.libs/mod_cors_floor.so \
               $(BENCH_BUILD)/floor/.libs/mod_cors_floor_same.so \
               $(BENCH_BUILD)/floor/.libs/mod_cors_noop.so

CLEAN_FILES += $(BENCH_BUILD)

export BENCH_PARTS BENCH_REQUESTS BENCH_WARMUP BENCH_PAUSE_MS BENCH_ROUNDS \
       BENCH_SECONDS BENCH_CONNECTIONS BENCH_CONFIGS

.PHONY: bench bench-deps bench-micro bench-floor

bench: all bench-deps $(BENCH_MICRO) $(BENCH_FLOOR)
	$(PYTHON) bench/run.py

bench-deps: | deps
	@sh tools/ensure-pkgs.sh valgrind wrk

bench-micro: $(BENCH_MICRO)
	./$(BENCH_MICRO)

bench-floor: $(BENCH_FLOOR)

# The decision microbenchmark: the origin and list logic at -O2, as the
# module has it.
$(BENCH_MICRO): bench/micro.c $(LOGIC_SRCS) $(LOGIC_HDRS) | deps
	@mkdir -p $(BENCH_BUILD)
	$(CC) -O2 -Wall -Wextra -Werror $(APR_CFLAGS) -I. -o $@ bench/micro.c \
	    $(LOGIC_SRCS) $(APR_LIBS) -lpsl

# The floor modules (bench/floor/mod_cors_floor.c), built from copies so that
# apxs/libtool leave their objects in bench/build and not beside the source.
$(BENCH_BUILD)/floor/.libs/mod_cors_floor.so: bench/floor/mod_cors_floor.c | deps
	@mkdir -p $(BENCH_BUILD)/floor
	cp bench/floor/mod_cors_floor.c $(BENCH_BUILD)/floor/mod_cors_floor.c
	cd $(BENCH_BUILD)/floor && $(APXS) -c -Wc,-Wall -Wc,-Werror \
	    -o mod_cors_floor.la mod_cors_floor.c

$(BENCH_BUILD)/floor/.libs/mod_cors_floor_same.so: bench/floor/mod_cors_floor.c | deps
	@mkdir -p $(BENCH_BUILD)/floor
	cp bench/floor/mod_cors_floor.c $(BENCH_BUILD)/floor/mod_cors_floor_same.c
	cd $(BENCH_BUILD)/floor && $(APXS) -c -DFLOOR_SAME_HEADERS -Wc,-Wall \
	    -Wc,-Werror -o mod_cors_floor_same.la mod_cors_floor_same.c

# mod_cors's directives with handlers that do nothing: the floor of reading
# a policy in .htaccess (bench/floor/mod_cors_noop.c).
$(BENCH_BUILD)/floor/.libs/mod_cors_noop.so: bench/floor/mod_cors_noop.c | deps
	@mkdir -p $(BENCH_BUILD)/floor
	cp bench/floor/mod_cors_noop.c $(BENCH_BUILD)/floor/mod_cors_noop.c
	cd $(BENCH_BUILD)/floor && $(APXS) -c -Wc,-Wall -Wc,-Wextra -Wc,-Werror \
	    -o mod_cors_noop.la mod_cors_noop.c

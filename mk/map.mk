# SPDX-License-Identifier: Apache-2.0
# mk/map.mk -- CORSAllowOriginMap: origins from a txt or dbm file (cors_map.c).
#
#   make unit-map        unit tests of cors_map.c (tests/unit/test_cors_map.c);
#                        part of `make test`
#   make bench-map       load time and image size of a big txt map, and lookup
#                        instruction counts under callgrind (bench/map_bench.c);
#                        then, for a 200,000 and a 1,000,000-entry txt map, a
#                        running httpd (prefork, 8 children; event, 2) before
#                        and after one change of the file: the children's PSS
#                        against one copy of the map, and the time from the
#                        rename to every child answering from the new version
#                        (bench/map_reload.py; MAP_ENTRIES, MAP_SERVERS)
#
# cors_map.c needs apr-util for apr_dbm (in APR_LIBS) and pthreads for the
# concurrency test.

MAP_UNIT := tests/unit/test_cors_map
# The pure sources (the Makefile's one list), which hold the map code.
MAP_SRCS  = $(PURE_SRCS)
MAP_HDRS  = $(PURE_HDRS)

.PHONY: unit-map

# The program is in the Makefile's UNIT_TESTS: `make test-unit` runs it.
unit-map: $(MAP_UNIT)
	./$(MAP_UNIT)

# The txt parser's fuzzer, built and run by mk/fuzz.mk's rules.
FUZZ_TARGETS += fuzz_map_txt
fuzz-build: $(FUZZ_BIN)/fuzz_map_txt

# Figures for a big txt map and for lookups (not a test; see bench/map_bench.c).
MAP_BENCH := bench/build/map_bench
CLEAN_FILES += $(MAP_BENCH)
.PHONY: bench-map

$(MAP_BENCH): bench/map_bench.c $(MAP_SRCS) $(MAP_HDRS) | build-deps
	@mkdir -p $(@D)
	$(CC) -O2 $(WARN) $(APR_CFLAGS) $(PCRE2_CFLAGS) -I. -o $@ bench/map_bench.c $(MAP_SRCS) \
	    $(APR_LIBS) -lpsl $(PCRE2_LIBS)

MAP_ENTRIES ?= 200000,1000000
MAP_SERVERS ?= prefork:8,event:2
export MAP_ENTRIES MAP_SERVERS

# map_bench's lines go to BENCHMARKS.md's map section too (bench/map_reload.py).
MAP_BENCH_OUT := bench/build/map_bench.out

bench-map: all $(MAP_BENCH) bench-deps
	./$(MAP_BENCH) load 200000 > $(MAP_BENCH_OUT)
	./$(MAP_BENCH) load 1000000 >> $(MAP_BENCH_OUT)
	@cat $(MAP_BENCH_OUT)
	@for cfg in "set 2" "txt 2" "txt 10000" "txt 1000000" "sdbm 2" "sdbm 10000" \
	            "sdbm 1000000" "sdbm-open-each 10000"; do \
	    set -- $$cfg; out=bench/build/callgrind.map.$$1.$$2; \
	    valgrind --tool=callgrind --toggle-collect=lookups --callgrind-out-file=$$out \
	        ./$(MAP_BENCH) lookup $$1 $$2 20000 >/dev/null 2>&1 || exit 1; \
	    ir=$$(sed -n 's/^summary: *//p;s/^totals: *//p' $$out | head -n 1); \
	    echo "lookup $$1 n=$$2: $$((ir / 20000)) instructions per lookup" \
	        | tee -a $(MAP_BENCH_OUT); \
	done
	$(PYTHON) bench/map_reload.py --bench-lines $(MAP_BENCH_OUT)

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
# The pure map code and what it links.
MAP_SRCS := cors_map.c cors_image.c cors_logic.c
MAP_HDRS := cors_map.h cors_image.h cors_source.h cors_logic.h

TEST_TARGETS += unit-map
CLEAN_FILES  += $(MAP_UNIT)

.PHONY: unit-map

$(MAP_UNIT): tests/unit/test_cors_map.c tests/unit/check.h $(MAP_SRCS) $(MAP_HDRS) | build-deps
	@echo "  CC      $@"
	@$(CC) $(WARN) -g -O1 -pthread $(APR_CFLAGS) -I. -o $@ tests/unit/test_cors_map.c \
	    $(MAP_SRCS) $(APR_LIBS) -lpsl

unit-map: $(MAP_UNIT)
	./$(MAP_UNIT)

# The txt parser's fuzzer, built and run by mk/fuzz.mk's rules with
# cors_map.c linked in.
FUZZ_TARGETS += fuzz_map_txt

$(FUZZ_BIN)/fuzz_map_txt: tests/fuzz/fuzz_map_txt.c tests/fuzz/fuzz_common.h $(MAP_SRCS) $(MAP_HDRS) | fuzz-deps
	@mkdir -p $(FUZZ_BIN)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(APR_CFLAGS) -I. -o $@ $< $(MAP_SRCS) \
	    $(APR_LIBS) -lpsl
fuzz-build: $(FUZZ_BIN)/fuzz_map_txt

# Figures for a big txt map and for lookups (not a test; see bench/map_bench.c).
MAP_BENCH := bench/build/map_bench
CLEAN_FILES += $(MAP_BENCH)
.PHONY: bench-map

$(MAP_BENCH): bench/map_bench.c $(MAP_SRCS) $(MAP_HDRS) | build-deps
	@mkdir -p $(@D)
	$(CC) -O2 $(WARN) $(APR_CFLAGS) -I. -o $@ bench/map_bench.c $(MAP_SRCS) \
	    $(APR_LIBS) -lpsl

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

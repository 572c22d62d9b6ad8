# SPDX-License-Identifier: Apache-2.0
# mk/map.mk -- CORSAllowOriginMap: origins from a txt or dbm file (cors_map.c).
#
#   make unit-map        unit tests of cors_map.c (tests/unit/test_cors_map.c);
#                        part of `make test`
#   make bench-map       load time and memory for a big txt map, and lookup
#                        instruction counts under callgrind (bench/map_bench.c)
#
# cors_map.c needs apr-util for apr_dbm (in APR_LIBS) and pthreads for the
# concurrency test.

MAP_UNIT := tests/unit/test_cors_map

TEST_TARGETS += unit-map
CLEAN_FILES  += $(MAP_UNIT)

.PHONY: unit-map

$(MAP_UNIT): tests/unit/test_cors_map.c cors_map.c cors_map.h cors_logic.c cors_logic.h | deps
	@echo "  CC      $@"
	@$(CC) $(WARN) -g -O1 -pthread $(APR_CFLAGS) -I. -o $@ tests/unit/test_cors_map.c \
	    cors_map.c cors_logic.c $(APR_LIBS) -lpsl

unit-map: $(MAP_UNIT)
	./$(MAP_UNIT)

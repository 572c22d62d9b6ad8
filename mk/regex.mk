# SPDX-License-Identifier: Apache-2.0
# mk/regex.mk -- what a hostile CORSAllowOriginMatch costs under the bounds of
# cors_regex.h (not a test: nothing here is in TEST_TARGETS).
#
#   make bench-regex    per regex, compiling and checking it; per request, the
#                       decision for 8 backtracking regexes with crafted Origins
#                       (bench/regex_bench.c); through a throw-away httpd, one
#                       request to a .htaccess of 1, 10 and 100 lines of hostile
#                       shapes (bench/regex_bounds.py); writes the "Regex bounds"
#                       section of BENCHMARKS.md.  About a minute.
#                       REGEX_RUNS (30 requests per case), REGEX_C_RUNS (200).

REGEX_BENCH := bench/build/regex_bench

.PHONY: bench-regex

bench-regex: all $(REGEX_BENCH)
	$(PYTHON) bench/regex_bounds.py

# At -O2, with the pure sources the module has.
$(REGEX_BENCH): bench/regex_bench.c $(PURE_SRCS) $(PURE_HDRS) | deps
	@mkdir -p $(dir $@)
	$(CC) -O2 $(WARN) $(APR_CFLAGS) $(PCRE2_CFLAGS) -I. -o $@ bench/regex_bench.c \
	    $(PURE_SRCS) $(APR_LIBS) -lpsl $(PCRE2_LIBS)

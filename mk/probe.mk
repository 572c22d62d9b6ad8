# SPDX-License-Identifier: Apache-2.0
# mk/probe.mk -- unit tests of cors_probe.c, the attacker origins tried
# against each CORSAllowOriginMatch regex at config time.
#
#   make unit-probe    builds tests/unit/test_cors_probe against PCRE2 (the
#                      engine behind ap_regex in Debian's httpd 2.4) and
#                      runs it; part of 'make test'.

PROBE_TEST := tests/unit/test_cors_probe

.PHONY: unit-probe

$(PROBE_TEST): tests/unit/test_cors_probe.c tests/unit/check.h cors_probe.c cors_probe.h | deps
	@echo "  CC      $@"
	@$(CC) $(WARN) -g -O1 $(APR_CFLAGS) $(PCRE2_CFLAGS) -I. -o $@ \
	    tests/unit/test_cors_probe.c cors_probe.c $(APR_LIBS) $(PCRE2_LIBS)

unit-probe: $(PROBE_TEST)
	./$(PROBE_TEST)

TEST_TARGETS += unit-probe
CLEAN_FILES  += $(PROBE_TEST)

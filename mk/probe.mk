# SPDX-License-Identifier: Apache-2.0
# mk/probe.mk -- unit tests of cors_probe.c, the attacker origins tried
# against each CORSAllowOriginMatch regex at config time.
#
#   make unit-probe    builds tests/unit/test_cors_probe (in the Makefile's
#                      UNIT_TESTS, so `make test-unit` runs it too) and runs it.

PROBE_TEST := tests/unit/test_cors_probe

.PHONY: unit-probe

unit-probe: $(PROBE_TEST)
	./$(PROBE_TEST)

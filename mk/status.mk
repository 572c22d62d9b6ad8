# SPDX-License-Identifier: Apache-2.0
# mk/status.mk -- what the CORS counters in mod_status cost.
#
#   make bench-status   callgrind instructions per request of cors_status_count(), with
#                       and without mod_status (bench/status_cost.py; about 15 s).
#                       STATUS_REQUESTS (1000) and STATUS_WARMUP (50) set the counts.
# Not a test: nothing here is in TEST_TARGETS or CI_TARGETS.

export STATUS_REQUESTS STATUS_WARMUP

.PHONY: bench-status
bench-status: all
	@sh tools/ensure-pkgs.sh valgrind
	$(PYTHON) bench/status_cost.py

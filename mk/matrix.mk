# SPDX-License-Identifier: Apache-2.0
# mk/matrix.mk -- the integration suite under the other MPMs.
#
#   make test-mpm                  MPM=worker, then MPM=prefork (`make test` runs event)
#   make test-mpm MATRIX_MPMS=worker
#
# Each MPM runs the whole of tests/integration (the harness reads $MPM); both run even
# when the first fails, and the target fails if either did.  Each run gets its own pytest
# base temp dir: pytest resets /tmp/pytest-of-<user> to mode 0700 when any other pytest
# session starts, which would cut www-data off from the server roots of a running suite.

MATRIX_MPMS ?= worker prefork
MATRIX_TMP  ?= $(or $(TMPDIR),/tmp)/mod_cors-test-mpm

.PHONY: test-mpm
test-mpm: all
	@sh tools/ensure-deps.sh test
	@failed=""; \
	for mpm in $(MATRIX_MPMS); do \
	    echo "== integration tests, MPM=$$mpm"; \
	    MPM=$$mpm $(PYTHON) -m pytest -q -p no:cacheprovider \
	        --basetemp="$(MATRIX_TMP)-$$mpm" tests/integration || failed="$$failed $$mpm"; \
	done; \
	if [ -n "$$failed" ]; then \
	    echo "test-mpm: the integration tests failed under:$$failed" >&2; exit 1; \
	fi; \
	echo "test-mpm: the integration tests passed under: $(MATRIX_MPMS)"

CI_TARGETS += test-mpm

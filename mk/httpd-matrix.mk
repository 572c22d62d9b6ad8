# SPDX-License-Identifier: Apache-2.0
# mk/httpd-matrix.mk -- mod_cors against every httpd version we support.
#
#   make test-httpd-matrix [HTTPD_SOURCES=dir] [MATRIX_VERSIONS="2.4.37 trunk"]
#
# For each httpd-<version>.tar.gz in HTTPD_SOURCES (or only MATRIX_VERSIONS): build
# httpd once into build/httpd/<version>/prefix (kept while the tarball's sha256 is
# unchanged; about 75 s each on 2 cores), build mod_cors with its apxs, run the unit
# tests and the integration suite against it, and print a table of passed / failed /
# skipped, with the reason of every skip.  Fails when any version fails a test.
# See tools/httpd-matrix.py and tools/build-httpd.sh.
#
# ci-extra runs the oldest and the newest (CI_HTTPD_VERSIONS) when the sources are there.

HTTPD_SOURCES     ?= $(abspath ../shared/httpd)
MATRIX_VERSIONS   ?=
CI_HTTPD_VERSIONS ?= 2.4.37 trunk
HTTPD_BUILD_PKGS  := libapr1-dev libaprutil1-dev libpcre3-dev libexpat1-dev \
                     libnghttp2-dev libssl-dev zlib1g-dev gcc make

.PHONY: test-httpd-matrix test-httpd-matrix-ci httpd-matrix-deps

httpd-matrix-deps: | deps
	@sh tools/ensure-pkgs.sh $(HTTPD_BUILD_PKGS)

test-httpd-matrix: httpd-matrix-deps $(firstword $(UNIT_TESTS))
	$(PYTHON) tools/httpd-matrix.py "$(HTTPD_SOURCES)" $(MATRIX_VERSIONS)

# In CI: the oldest and the newest; nothing (and says so) without the sources.
test-httpd-matrix-ci:
	@if ls "$(HTTPD_SOURCES)"/httpd-*.tar.gz >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory test-httpd-matrix MATRIX_VERSIONS="$(CI_HTTPD_VERSIONS)"; \
	 else \
	    echo "test-httpd-matrix: no httpd sources in $(HTTPD_SOURCES); skipped"; \
	 fi

CI_TARGETS += test-httpd-matrix-ci

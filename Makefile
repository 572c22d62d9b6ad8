# SPDX-License-Identifier: Apache-2.0
# mod_cors -- build, test and demo.  See README.md.
#
#   make                 build .libs/mod_cors.so (never installs packages: when
#                        something is missing it says what to run)
#   make deps            install the Debian packages the build and tests need
#   make test            unit + integration + browser + install tests
#                        (installs what is missing first, as root with apt)
#   make demo            a throw-away httpd with the module on 127.0.0.1
#   make ci-extra        the CI-only suites (sanitizers, fuzzing, MPMs, httpd versions)
#
# Another httpd (a source build, RHEL's httpd-devel ...):
#   make test-integration APXS=$PREFIX/bin/apxs [HTTPD=$PREFIX/bin/httpd
#                         HTTPD_MODULES=$PREFIX/modules]
# builds the module with that apxs into build/httpd/<version>/mod_cors/ and runs the
# integration suite against that httpd (HTTPD and HTTPD_MODULES default to what the
# apxs says).

APXS    ?= apxs
PYTHON  ?= /usr/bin/python3
CC      ?= cc

# The one list of sources.  The pure code (APR, APR-util, libc, libpsl and
# PCRE2; no httpd header) is what the unit tests, the fuzzers, the benchmarks
# and cors-check link; the glue is the httpd side.  mk/*.mk use these lists.
LOGIC_SRCS = cors_set.c cors_origin.c cors_origin_set.c cors_lists.c
LOGIC_HDRS = cors_chars.h cors_set.h cors_origin.h cors_origin_set.h \
             cors_lists.h cors_logic.h cors_log.h
PURE_SRCS  = $(LOGIC_SRCS) cors_decide.c cors_explain.c cors_probe.c \
             cors_image.c cors_regex.c cors_map.c cors_map_disk.c cors_map_file.c
PURE_HDRS  = $(LOGIC_HDRS) cors_decide.h cors_explain.h cors_probe.h \
             cors_image.h cors_source.h cors_regex.h cors_map.h cors_map_file.h \
             cors_map_int.h
GLUE_SRCS  = mod_cors.c mod_cors_config.c mod_cors_origins.c mod_cors_report.c \
             mod_cors_status.c mod_cors_map.c mod_cors_dbd.c
GLUE_HDRS  = mod_cors.h mod_cors_status.h mod_cors_dbd.h
SRCS    = $(GLUE_SRCS) $(PURE_SRCS)
HDRS    = $(GLUE_HDRS) $(PURE_HDRS)
WARN    = -Wall -Wextra -Werror
# Recursive (=), not :=, so that pkg-config runs when a recipe needs the flags, after
# the dependencies are in place, and not when the Makefile is read.
APR_CFLAGS = $(shell pkg-config --cflags apr-1 apr-util-1 2>/dev/null)
APR_LIBS   = $(shell pkg-config --libs apr-1 apr-util-1 2>/dev/null)
# CORSAllowOriginMatch regexes are compiled with PCRE2 itself (cors_regex.c),
# for the match limits that ap_regex does not let a module set.
PCRE2_CFLAGS = $(shell pkg-config --cflags libpcre2-8 2>/dev/null)
PCRE2_LIBS   = $(shell pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)

# The httpd the tests run, handed to tests/lib/httpd_harness.py.  With the default
# apxs: Debian's apache2, and the module in .libs.  With APXS given on the command
# line or in the environment: that apxs's httpd, and the module in its own directory,
# so that the normal build is not touched.
ifeq ($(origin APXS),file)
HTTPD         ?= /usr/sbin/apache2
HTTPD_MODULES ?= /usr/lib/apache2/modules
CORS_SO       := .libs/mod_cors.so
CORS_LA       := mod_cors.la
else
apxs_q         = $(shell $(APXS) -q $(1) 2>/dev/null)
HTTPD         ?= $(call apxs_q,SBINDIR)/$(call apxs_q,PROGNAME)
HTTPD_MODULES ?= $(call apxs_q,LIBEXECDIR)
CORS_BUILD    ?= build/httpd/$(or $(call apxs_q,HTTPD_VERSION),other)/mod_cors
CORS_SO       := $(CORS_BUILD)/.libs/mod_cors.so
CORS_LA       := $(CORS_BUILD)/mod_cors.la
endif
export HTTPD HTTPD_MODULES

# Plain `make` (and install, clean) only reports missing packages; every other goal
# (test, demo, deps, ...) lets tools/ensure-deps.sh install them (root, apt).
NO_PKG_GOALS := all install uninstall clean $(CORS_SO)
ifeq ($(filter-out $(NO_PKG_GOALS),$(or $(MAKECMDGOALS),all)),)
export CORS_DEPS_NO_INSTALL ?= 1
endif

.PHONY: all deps build-deps test test-unit test-integration unit integration demo \
        clean ci-extra

# Each feature (browser tests, fuzzing, benchmarks, packaging ...) keeps its
# targets in mk/<feature>.mk and adds itself to these lists:
#   TEST_TARGETS  run by 'make test' after the unit and integration tests
#   CI_TARGETS    run by .ci/run after 'make test' (CI-only checks)
#   CLEAN_FILES   removed by 'make clean'
#   UNIT_TESTS    unit programs, run by 'make test-unit'
TEST_TARGETS :=
CI_TARGETS   :=
CLEAN_FILES  :=
# The unit tests of the pure code: one program per part under test, each
# built from its tests/unit/<name>.c and PURE_SRCS.
UNIT_TESTS   := tests/unit/test_cors_origin tests/unit/test_cors_origin_set \
                tests/unit/test_cors_lists tests/unit/test_cors_acrh tests/unit/test_cors_decide \
                tests/unit/test_cors_explain tests/unit/test_cors_regex \
                tests/unit/test_cors_map tests/unit/test_cors_probe
.DEFAULT_GOAL := all
-include mk/*.mk

all: $(CORS_SO)

# Install the Debian packages the build and the tests need.
deps:
	@sh tools/ensure-deps.sh test

# What building needs: installed or reported (see CORS_DEPS_NO_INSTALL above).
build-deps:
	@sh tools/ensure-deps.sh build

# apxs builds through libtool; only cors_module is exported.  libtool's
# command lines are hidden unless V=1; compiler diagnostics always show.
APXS_BUILD = $(APXS) -c $(addprefix -Wc$(comma),$(WARN) $(PCRE2_CFLAGS)) \
	"-Wl,-export-symbols-regex cors_module" -lpsl $(PCRE2_LIBS) \
	-o mod_cors.la $(SRCS)
ifeq ($(V),1)
RUN_APXS_BUILD = $(APXS_BUILD)
else
RUN_APXS_BUILD = out=$$($(APXS_BUILD) 2>&1); rc=$$?; \
	 printf '%s\n' "$$out" | grep -v -e 'build/libtool ' -e '^libtool: ' -e '^$$' >&2; \
	 exit $$rc
endif

comma := ,

.libs/mod_cors.so: $(SRCS) $(HDRS) | build-deps
	@echo "  APXS    mod_cors.la"
	@$(RUN_APXS_BUILD)

# Another apxs: a copy of the sources in CORS_BUILD, so that libtool leaves its
# objects there and not beside the sources.
ifneq ($(CORS_SO),.libs/mod_cors.so)
$(CORS_SO): $(SRCS) $(HDRS) | build-deps
	@mkdir -p $(CORS_BUILD)
	@cp $(SRCS) $(HDRS) $(CORS_BUILD)/
	@echo "  APXS    $(CORS_BUILD)/mod_cors.la ($(APXS))"
	@cd $(CORS_BUILD) && $(RUN_APXS_BUILD)
endif

# -pthread: test_cors_map runs lookups in threads against a reload.
tests/unit/%: tests/unit/%.c tests/unit/check.h tests/unit/logic_helpers.h $(PURE_SRCS) \
             $(PURE_HDRS) | build-deps
	@echo "  CC      $@"
	@$(CC) $(WARN) -g -O1 -pthread $(APR_CFLAGS) $(PCRE2_CFLAGS) -I. -o $@ $< \
	    $(PURE_SRCS) $(APR_LIBS) -lpsl $(PCRE2_LIBS)

# Every unit program, even after one fails; the status says whether all passed.
test-unit: $(UNIT_TESTS)
	@rc=0; for t in $(UNIT_TESTS); do echo "== $$t"; ./$$t || rc=1; done; exit $$rc

# Each run gets its own pytest base directory: pytest resets the shared
# default one at start, which would pull it from under a concurrent run.
PYTEST = $(PYTHON) -m pytest -q -p no:cacheprovider \
	--basetemp=/tmp/mod_cors-pytest.$$$$

test-integration: all
	@sh tools/ensure-deps.sh test
	CORS_MODULE=$(abspath $(CORS_SO)) $(PYTEST) tests/integration

# make print-VAR: a variable's value (tests/integration/test_sources.py reads
# the source lists this way).
print-%:
	@echo $($*)

# The old names.
unit: test-unit
integration: test-integration

test: all test-unit test-integration $(TEST_TARGETS)

ci-extra: $(CI_TARGETS)

demo: all
	@sh tools/ensure-deps.sh test
	@CORS_MODULE=$(abspath $(CORS_SO)) sh demo/run.sh

clean:
	rm -rf .libs *.la *.lo *.slo *.o $(UNIT_TESTS) $(CLEAN_FILES)
	find . -name __pycache__ -prune -exec rm -rf {} +

# mod_cors -- build, test and demo.  See README.md.

APXS    ?= $(shell command -v apxs 2>/dev/null || echo /usr/bin/apxs)
PYTHON  ?= /usr/bin/python3
CC      ?= cc

SRCS    = mod_cors.c cors_config.c cors_report.c cors_decide.c cors_explain.c \
          cors_logic.c
HDRS    = mod_cors.h cors_decide.h cors_explain.h cors_logic.h
WARN    = -Wall -Wextra -Werror
APR_CFLAGS := $(shell pkg-config --cflags apr-1 apr-util-1 2>/dev/null)
APR_LIBS   := $(shell pkg-config --libs apr-1 apr-util-1 2>/dev/null)

.PHONY: all deps test unit integration demo clean ci-extra

# Each feature (browser tests, fuzzing, benchmarks, packaging ...) keeps its
# targets in mk/<feature>.mk and adds itself to these lists:
#   TEST_TARGETS  run by 'make test' after the unit and integration tests
#   CI_TARGETS    run by .ci/run after 'make test' (CI-only checks)
#   CLEAN_FILES   removed by 'make clean'
TEST_TARGETS :=
CI_TARGETS   :=
CLEAN_FILES  :=
.DEFAULT_GOAL := all
-include mk/*.mk

all: .libs/mod_cors.so

# Install the Debian packages the build and the tests need, or say what to run.
deps:
	@sh tools/ensure-deps.sh build

# apxs builds through libtool; only cors_module is exported.  libtool's
# command lines are hidden unless V=1; compiler diagnostics always show.
APXS_BUILD = $(APXS) -c $(addprefix -Wc$(comma),$(WARN)) \
	"-Wl,-export-symbols-regex cors_module" -lpsl -o mod_cors.la $(SRCS)

.libs/mod_cors.so: $(SRCS) $(HDRS) | deps
ifeq ($(V),1)
	$(APXS_BUILD)
else
	@echo "  APXS    mod_cors.la"
	@out=$$($(APXS_BUILD) 2>&1); rc=$$?; \
	 printf '%s\n' "$$out" | grep -v -e 'build/libtool ' -e '^libtool: ' -e '^$$' >&2; \
	 exit $$rc
endif

comma := ,

# The unit tests of the pure code: one program per file under test.
UNIT_TESTS = tests/unit/test_cors_logic tests/unit/test_cors_decide \
             tests/unit/test_cors_explain
PURE_SRCS  = cors_decide.c cors_explain.c cors_logic.c
PURE_HDRS  = cors_decide.h cors_explain.h cors_logic.h

tests/unit/%: tests/unit/%.c tests/unit/check.h $(PURE_SRCS) $(PURE_HDRS) | deps
	@echo "  CC      $@"
	@$(CC) $(WARN) -g -O1 $(APR_CFLAGS) -I. -o $@ $< $(PURE_SRCS) $(APR_LIBS) -lpsl

unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do echo "== $$t"; ./$$t || exit 1; done

# Each run gets its own pytest base directory: pytest resets the shared
# default one at start, which would pull it from under a concurrent run.
PYTEST = $(PYTHON) -m pytest -q -p no:cacheprovider \
	--basetemp=/tmp/mod_cors-pytest.$$$$

integration: all
	@sh tools/ensure-deps.sh test
	$(PYTEST) tests/integration

test: all unit integration $(TEST_TARGETS)

ci-extra: $(CI_TARGETS)

demo: all
	@sh demo/run.sh

clean:
	rm -rf .libs *.la *.lo *.slo *.o $(UNIT_TESTS) $(CLEAN_FILES)
	find . -name __pycache__ -prune -exec rm -rf {} +

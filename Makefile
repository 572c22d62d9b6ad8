# mod_cors -- build, test and demo.  See README.md.

APXS    ?= $(shell command -v apxs 2>/dev/null || echo /usr/bin/apxs)
PYTHON  ?= /usr/bin/python3
CC      ?= cc

SRCS    = mod_cors.c cors_logic.c
HDRS    = mod_cors.h cors_logic.h
WARN    = -Wall -Wextra -Werror
APR_CFLAGS := $(shell pkg-config --cflags apr-1 apr-util-1 2>/dev/null)
APR_LIBS   := $(shell pkg-config --libs apr-1 apr-util-1 2>/dev/null)

.PHONY: all deps test unit integration demo clean bench compare

all: .libs/mod_cors.so

# Install the Debian packages the build and the tests need, or say what to run.
deps:
	@sh tools/ensure-deps.sh build

# apxs builds through libtool; only cors_module is exported.
.libs/mod_cors.so: $(SRCS) $(HDRS) | deps
	$(APXS) -c $(addprefix -Wc$(comma),$(WARN)) \
	    "-Wl,-export-symbols-regex cors_module" -lpsl \
	    -o mod_cors.la $(SRCS)

comma := ,

tests/unit/test_cors_logic: tests/unit/test_cors_logic.c cors_logic.c cors_logic.h | deps
	$(CC) $(WARN) -g -O1 $(APR_CFLAGS) -I. -o $@ tests/unit/test_cors_logic.c cors_logic.c $(APR_LIBS) -lpsl

unit: tests/unit/test_cors_logic
	./tests/unit/test_cors_logic

integration: all
	@sh tools/ensure-deps.sh test
	$(PYTHON) -m pytest -q tests/integration

test: all unit
	@sh tools/ensure-deps.sh test
	$(PYTHON) -m pytest -q tests/integration

demo: all
	@sh demo/run.sh

clean:
	rm -rf .libs *.la *.lo *.slo *.o tests/unit/test_cors_logic
	find . -name __pycache__ -prune -exec rm -rf {} +

# SPDX-License-Identifier: Apache-2.0
# mk/asan.mk -- the integration suite against an ASan+UBSan build of the module.
#
#   make test-asan     builds build/asan/.libs/mod_cors.so with
#                      -fsanitize=address,undefined (clang 14, shared runtime)
#                      and runs /usr/bin/python3 -m pytest tests/integration
#                      with httpd loading that .so under LD_PRELOAD of the
#                      ASan runtime; any sanitizer report fails the run
#                      (tests/sanitize/run.sh).
#
# Why clang and not gcc: with gcc, UBSan lives in its own libubsan, which
# reads UBSAN_OPTIONS from /proc/self/environ the first time it reports;
# in httpd's children (www-data after setuid, so not dumpable) that file is
# unreadable and the options are lost: no log_path, no abort, no stack.
# clang's ASan runtime holds UBSan too and reads both option sets when it
# is preloaded into the root parent.  (ASAN_CC=gcc still works, preloading
# libasan: UBSan reports then land in the error logs, which are searched.)
#
# The harness takes the module from CORS_MODULE and adds the words of
# CORS_HTTPD_ENV (NAME=VALUE ...) to apache2's environment.

ASAN_CC      ?= $(shell command -v clang-14 2>/dev/null || command -v clang 2>/dev/null || echo clang-14)
ASAN_DIR     := build/asan
ASAN_SO      := $(ASAN_DIR)/.libs/mod_cors.so
ASAN_SUITE   ?= tests/integration
# -include stddef.h: APR's APR_OFFSETOF (behind APR_BRIGADE_EMPTY and every
# APR_RING macro) is offsetof() only when <stddef.h> came before
# apr_general.h; otherwise it is the ((type *)NULL)->field trick, which UBSan
# reports as "member access within null pointer of type 'struct apr_bucket'".
ASAN_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all -Wall -Wextra -include stddef.h \
                $(if $(findstring clang,$(ASAN_CC)),-shared-libsan)

.PHONY: test-asan asan-build asan-deps

asan-build: $(ASAN_SO)

asan-deps:
	@sh tools/ensure-pkgs.sh clang-14 libclang-rt-14-dev
	@sh tools/ensure-deps.sh test

# Compiled directly rather than through apxs/libtool so that nothing in the
# normal build (.libs/, *.lo) is touched.
$(ASAN_SO): $(SRCS) $(HDRS) | deps asan-deps
	@mkdir -p $(@D)
	$(ASAN_CC) -shared -fPIC $(ASAN_CFLAGS) \
	    -I$(shell $(APXS) -q INCLUDEDIR) $(APR_CFLAGS) $(PCRE2_CFLAGS) -I. \
	    -o $@ $(SRCS) -lpsl $(PCRE2_LIBS)

test-asan: $(ASAN_SO)
	@ASAN_CC="$(ASAN_CC)" PYTHON="$(PYTHON)" \
	    sh tests/sanitize/run.sh "$(abspath $(ASAN_SO))" "$(ASAN_DIR)" "$(ASAN_SUITE)"

CI_TARGETS  += test-asan
CLEAN_FILES += $(ASAN_DIR)

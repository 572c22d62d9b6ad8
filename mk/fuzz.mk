# SPDX-License-Identifier: Apache-2.0
# mk/fuzz.mk -- libFuzzer targets for the pure code, PURE_SRCS (see tests/fuzz/).
#
#   make fuzz [FUZZ_SECONDS=N]   build every target and run each for N s
#                                (default 10) on tests/fuzz/corpus/<target>/;
#                                new finds go to tests/fuzz/bin/corpus/<target>/
#   make fuzz-build              only build them (tests/fuzz/bin/<target>)
#   make fuzz-ci                 'make fuzz FUZZ_SECONDS=60' (in CI_TARGETS)
#
# Debian's clang 14 with libFuzzer (libclang-rt-14-dev); installed when
# missing.

FUZZ_CC      ?= $(shell command -v clang-14 2>/dev/null || command -v clang 2>/dev/null || echo clang-14)
FUZZ_SECONDS ?= 10
FUZZ_TARGETS := fuzz_origin_match fuzz_origin_config fuzz_acrh \
                fuzz_directives fuzz_origin_diff fuzz_decide
FUZZ_BIN     := tests/fuzz/bin
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -Wall -Wextra -Werror
FUZZ_PROGS   := $(addprefix $(FUZZ_BIN)/,$(FUZZ_TARGETS))

.PHONY: fuzz test-fuzz fuzz-build fuzz-ci fuzz-deps

test-fuzz: fuzz

fuzz-deps:
	@sh tools/ensure-pkgs.sh clang-14 libclang-rt-14-dev
	@sh tools/ensure-deps.sh build

$(FUZZ_BIN)/%: tests/fuzz/%.c tests/fuzz/fuzz_common.h $(PURE_SRCS) $(PURE_HDRS) | fuzz-deps
	@mkdir -p $(FUZZ_BIN)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(APR_CFLAGS) $(PCRE2_CFLAGS) -I. -o $@ $< \
	    $(PURE_SRCS) $(APR_LIBS) -lpsl $(PCRE2_LIBS)

fuzz-build: $(FUZZ_PROGS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60

CI_TARGETS  += fuzz-ci
CLEAN_FILES += $(FUZZ_BIN)

# SPDX-License-Identifier: Apache-2.0
# mk/cors-check.mk -- cors-check, the command-line CORS verdict (included by the Makefile).
#
#   make                   also builds cors-check/cors-check
#   make unit-cors-check   the C unit tests of the verdict logic (cors-check/fetch_model.c)
#   make test-cors-check   a sample of the browser grid: cors-check against headless
#                          Chromium on 20 (server behaviour, request) pairs; part of `make test`
#   make grid-cors-check   the full grid (every pair); part of `make ci-extra`
#
# cors-check is C with libcurl (Debian's libcurl4-openssl-dev); it links the project's
# origin and token parsing and the attacker-origin probe from the sources in
# CHECK_SHARED_SRCS (the Makefile's lists).

CHECK_DIR         := cors-check
CHECK_BIN         := $(CHECK_DIR)/cors-check
CHECK_SHARED_SRCS  = $(LOGIC_SRCS) cors_probe.c
CHECK_SHARED_HDRS  = $(LOGIC_HDRS) cors_probe.h cors_decide.h
CHECK_MODEL_SRCS   = $(CHECK_DIR)/fetch_model.c $(CHECK_DIR)/fetch_messages.c
CHECK_SRCS         = $(CHECK_DIR)/cors-check.c $(CHECK_DIR)/net_io.c $(CHECK_DIR)/report.c \
                     $(CHECK_MODEL_SRCS)
CHECK_HDRS         = $(CHECK_DIR)/fetch_model.h $(CHECK_DIR)/net_io.h $(CHECK_DIR)/report.h
CHECK_UNIT         := $(CHECK_DIR)/test_fetch_model
CURL_CFLAGS       := $(shell pkg-config --cflags libcurl 2>/dev/null)
CURL_LIBS         := $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
CHECK_CFLAGS       = $(WARN) -O2 -g $(APR_CFLAGS) $(CURL_CFLAGS) -I. -I$(CHECK_DIR)
CHECK_PKGS        := libcurl4-openssl-dev
CHECK_LIBS         =

UNIT_TESTS   += $(CHECK_UNIT)
TEST_TARGETS += test-cors-check
CI_TARGETS   += grid-cors-check
CLEAN_FILES  += $(CHECK_BIN) $(CHECK_UNIT)

.PHONY: cors-check-deps unit-cors-check test-cors-check grid-cors-check install-cors-check \
        uninstall-cors-check

all: $(CHECK_BIN)

cors-check-deps: | deps
	@sh tools/ensure-pkgs.sh $(CHECK_PKGS)

$(CHECK_BIN): $(CHECK_SRCS) $(CHECK_HDRS) $(CHECK_SHARED_SRCS) $(CHECK_SHARED_HDRS) | cors-check-deps
	@echo "  CC      $@"
	@$(CC) $(CHECK_CFLAGS) -o $@ $(CHECK_SRCS) $(CHECK_SHARED_SRCS) $(APR_LIBS) -lpsl \
	    $(CURL_LIBS) $(CHECK_LIBS)

$(CHECK_UNIT): $(CHECK_DIR)/test_fetch_model.c $(CHECK_MODEL_SRCS) $(CHECK_HDRS) \
               $(CHECK_SHARED_SRCS) $(CHECK_SHARED_HDRS) | cors-check-deps
	@echo "  CC      $@"
	@$(CC) $(CHECK_CFLAGS) -o $@ $(CHECK_DIR)/test_fetch_model.c $(CHECK_MODEL_SRCS) \
	    $(CHECK_SHARED_SRCS) $(APR_LIBS) -lpsl

unit-cors-check: $(CHECK_UNIT)
	./$(CHECK_UNIT)

# The browser grid uses the browser tests' Chromium and playwright-core (mk/browser.mk).
test-cors-check: all browser-deps $(BROWSER_STAMP)
	$(BROWSER_ENV) CORS_CHECK_SAMPLE=20 $(PYTEST) tests/cors-check

grid-cors-check: all browser-deps $(BROWSER_STAMP)
	$(BROWSER_ENV) $(PYTEST) tests/cors-check

# `make install` / `make uninstall` also put cors-check and its man page in place:
#   $(DESTDIR)$(PREFIX)/bin/cors-check, $(DESTDIR)$(PREFIX)/share/man/man1/cors-check.1
PREFIX     ?= /usr/local
CHECK_BINDIR = $(PREFIX)/bin
CHECK_MANDIR = $(PREFIX)/share/man/man1

install: install-cors-check
uninstall: uninstall-cors-check

install-cors-check: $(CHECK_BIN)
	@echo "  INSTALL $(DESTDIR)$(CHECK_BINDIR)/cors-check"
	@install -D -m 755 $(CHECK_BIN) "$(DESTDIR)$(CHECK_BINDIR)/cors-check"
	@echo "  INSTALL $(DESTDIR)$(CHECK_MANDIR)/cors-check.1"
	@install -D -m 644 $(CHECK_DIR)/cors-check.1 "$(DESTDIR)$(CHECK_MANDIR)/cors-check.1"

uninstall-cors-check:
	@for f in "$(DESTDIR)$(CHECK_BINDIR)/cors-check" "$(DESTDIR)$(CHECK_MANDIR)/cors-check.1"; do \
	     if [ -e "$$f" ]; then echo "  RM      $$f"; rm -f "$$f"; fi; \
	 done

# ---- cors-check propose: a policy from an access log (cors-check/propose*.c,
# log_line.c).  Its sources join cors-check's; its unit tests are in
# cors-check/test_propose.c; `make bench` times it on a 1,000,000-line log.
#   make unit-propose     the C unit tests of the log reader and the proposal
#   make bench-propose    the timing alone
PROPOSE_SRCS  = $(CHECK_DIR)/propose_cmd.c $(CHECK_DIR)/propose.c $(CHECK_DIR)/log_line.c
PROPOSE_HDRS  = $(CHECK_DIR)/propose_cmd.h $(CHECK_DIR)/propose.h $(CHECK_DIR)/log_line.h
PROPOSE_UNIT := $(CHECK_DIR)/test_propose
CHECK_SRCS   += $(PROPOSE_SRCS)
CHECK_HDRS   += $(PROPOSE_HDRS)
UNIT_TESTS   += $(PROPOSE_UNIT)
CLEAN_FILES  += $(PROPOSE_UNIT)

.PHONY: unit-propose bench-propose

$(CHECK_BIN): $(PROPOSE_SRCS) $(PROPOSE_HDRS)

$(PROPOSE_UNIT): $(CHECK_DIR)/test_propose.c $(CHECK_DIR)/propose.c $(CHECK_DIR)/log_line.c \
                 $(PROPOSE_HDRS) tests/unit/check.h $(CHECK_SHARED_SRCS) $(CHECK_SHARED_HDRS) \
                 | cors-check-deps
	@echo "  CC      $@"
	@$(CC) $(CHECK_CFLAGS) -o $@ $(CHECK_DIR)/test_propose.c $(CHECK_DIR)/propose.c \
	    $(CHECK_DIR)/log_line.c $(CHECK_SHARED_SRCS) $(APR_LIBS) -lpsl

unit-propose: $(PROPOSE_UNIT)
	./$(PROPOSE_UNIT)

bench: bench-propose

bench-propose: $(CHECK_BIN)
	$(PYTHON) bench/propose_log.py --lines 1000000 --run $(CHECK_BIN)

# ---- cors-check audit: the CORS recipes of a configuration (cors-check/conf_reader.c
# reads it, audit_read.c, audit.c, audit_origins.c and audit_proposal.c judge the
# recipes, audit_report.c prints them).  It uses the module's attacker-origin probe
# (cors_probe.c, in CHECK_SHARED_SRCS) and PCRE2 for the recipes' regexes (PCRE2_CFLAGS and PCRE2_LIBS from
# the Makefile); its unit tests are in cors-check/test_audit.c and test_audit_shapes.h.
#   make unit-cors-check-audit   the configuration reader and the table of recipe shapes
AUDIT_SRCS   = $(CHECK_DIR)/conf_reader.c $(CHECK_DIR)/audit.c $(CHECK_DIR)/audit_read.c \
               $(CHECK_DIR)/audit_origins.c $(CHECK_DIR)/audit_proposal.c \
               $(CHECK_DIR)/audit_report.c
AUDIT_HDRS   = $(CHECK_DIR)/conf_reader.h $(CHECK_DIR)/audit.h $(CHECK_DIR)/audit_int.h \
               $(CHECK_DIR)/audit_origins.h
AUDIT_UNIT  := $(CHECK_DIR)/test_audit
CHECK_SRCS   += $(AUDIT_SRCS)
CHECK_HDRS   += $(AUDIT_HDRS)
CHECK_CFLAGS += $(PCRE2_CFLAGS)
CHECK_LIBS   += $(PCRE2_LIBS)
CHECK_PKGS   += libpcre2-dev
UNIT_TESTS   += $(AUDIT_UNIT)
CLEAN_FILES  += $(AUDIT_UNIT)

.PHONY: unit-cors-check-audit

$(CHECK_BIN): $(AUDIT_SRCS) $(AUDIT_HDRS)

# report.c for the one JSON string writer, fetch_model.c for what report.c needs.
$(AUDIT_UNIT): $(CHECK_DIR)/test_audit.c $(CHECK_DIR)/test_audit_shapes.h $(AUDIT_SRCS) \
               $(AUDIT_HDRS) tests/unit/check.h $(CHECK_SHARED_SRCS) $(CHECK_SHARED_HDRS) \
               | cors-check-deps
	@echo "  CC      $@"
	@$(CC) $(CHECK_CFLAGS) -o $@ $(CHECK_DIR)/test_audit.c $(AUDIT_SRCS) \
	    $(CHECK_DIR)/report.c $(CHECK_MODEL_SRCS) $(CHECK_SHARED_SRCS) $(APR_LIBS) -lpsl \
	    $(CHECK_LIBS)

unit-cors-check-audit: $(AUDIT_UNIT)
	./$(AUDIT_UNIT)

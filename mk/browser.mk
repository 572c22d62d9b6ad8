# SPDX-License-Identifier: Apache-2.0
# Browser tests: mod_cors seen from fetch() in a real browser.
#
#   make test-browser  (or: make browser) every case of tests/browser/browser_cases.py in headless Chromium
#                  (Debian's chromium, driven by playwright-core) against mod_cors;
#                  part of `make test`
#   make compare   the same cases against the usual mod_headers recipe
#                  (tests/browser/recipe.conf); prints a ✓/✗ table and writes it to
#                  tests/browser/compare.md
#
# Needs Debian's chromium and Node.js >= 18 with npm (Debian 12 has 18) (installed when missing and root),
# and playwright-core from tests/browser/package-lock.json (npm ci, rerun only when
# node_modules is missing or older than the lock file).  No browser is downloaded.

BROWSER_DIR   := tests/browser
BROWSER_STAMP := $(BROWSER_DIR)/node_modules/.package-lock.json
BROWSER_ENV   := PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

TEST_TARGETS += test-browser

.PHONY: test-browser browser compare browser-deps

browser-deps:
	@sh tools/ensure-deps.sh test
	@sh tools/ensure-pkgs.sh chromium
	@command -v node >/dev/null 2>&1 || sh tools/ensure-pkgs.sh nodejs
	@command -v npm >/dev/null 2>&1 || sh tools/ensure-pkgs.sh npm

# npm writes node_modules/.package-lock.json on every install; touch it so that its time
# is the install's, not the lock file's.
$(BROWSER_STAMP): $(BROWSER_DIR)/package-lock.json $(BROWSER_DIR)/package.json | browser-deps
	cd $(BROWSER_DIR) && $(BROWSER_ENV) npm ci --prefer-offline --no-audit --no-fund
	@touch $@

test-browser: all browser-deps $(BROWSER_STAMP)
	$(BROWSER_ENV) $(PYTEST) $(BROWSER_DIR)

browser: test-browser

compare: all browser-deps $(BROWSER_STAMP)
	$(BROWSER_ENV) $(PYTHON) $(BROWSER_DIR)/compare.py --out $(BROWSER_DIR)/compare.md

# SPDX-License-Identifier: Apache-2.0
# mk/docs.mk -- checks of the documentation (tests/docs/test_docs.py):
# each directive of cors_cmds[] (cors_config.c after the C preprocessor, with
# the build's headers, hence build-deps) has its '## Name'
# section with the httpd-style table in docs/directives.md and each such
# section names a directive; every relative link and anchor in README.md,
# INSTALL.md and docs/*.md resolves; README.md stays under 250 lines.
#
#   make test-docs     part of 'make test'; starts no httpd

.PHONY: test-docs

test-docs: build-deps
	@sh tools/ensure-pkgs.sh python3-pytest
	APXS=$(APXS) CC=$(CC) $(PYTEST) tests/docs

TEST_TARGETS += test-docs

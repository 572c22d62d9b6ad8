# SPDX-License-Identifier: Apache-2.0
# mk/deb.mk -- the Debian package and the packaging tests (included by the Makefile).
#
#   make deb            build/deb/libapache2-mod-cors_<version>_<arch>.deb
#   make test-install   make install/uninstall into a DESTDIR (no root needed)
#   make test-deb       build the .deb, install it on this machine, enable it,
#                       run a copy of the system's apache2 configuration on
#                       127.0.0.1, then purge it (root; CI runs it)
#
# dpkg-buildpackage writes its results to the parent of the source tree, so
# the package is built in a copy, build/deb/src/, of the files git knows
# about (tracked, and untracked ones that are not ignored) as they are in the
# working tree, uncommitted changes included: the .deb and friends land in
# build/deb/.

.PHONY: deb test-deb test-install

DEB_DIR := build/deb
DEB_SRC := $(DEB_DIR)/src
DEB_BUILD_PKGS := dpkg-dev debhelper apache2-dev libpsl-dev libcurl4-openssl-dev libpcre2-dev \
                  pkg-config build-essential

deb:
	@sh tools/ensure-pkgs.sh $(DEB_BUILD_PKGS)
	@rm -rf $(DEB_DIR)
	@mkdir -p $(DEB_SRC)
	@echo "  COPY    working tree -> $(DEB_SRC)"
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	     git ls-files -z --cached --others --exclude-standard; \
	 else \
	     find . \( -path ./build -o -path ./.git \) -prune -o \( -type f -o -type l \) -print0; \
	 fi | xargs -0 sh -c 'for f; do if [ -e "$$f" ] || [ -L "$$f" ]; then printf "%s\0" "$$f"; fi; done' sh \
	   | tar --null --no-recursion -T - -cf - | tar -xf - -C $(DEB_SRC)
	@echo "  DPKG    dpkg-buildpackage -us -uc -b (log: $(DEB_DIR)/build.log)"
	@cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	     dpkg-buildpackage -us -uc -b > ../build.log 2>&1 \
	 || { tail -n 40 ../build.log >&2; echo "deb: dpkg-buildpackage failed; see $(DEB_DIR)/build.log" >&2; exit 1; }
	@ls -1 $(DEB_DIR)/*.deb

test-install: all
	@bash tests/packaging/test_install.sh

test-deb:
	@bash tests/packaging/test_deb.sh

TEST_TARGETS += test-install
CI_TARGETS   += test-deb
CLEAN_FILES  += $(DEB_DIR)

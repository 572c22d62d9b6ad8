# SPDX-License-Identifier: Apache-2.0
# mk/install.mk -- `make install` / `make uninstall` (included by the Makefile).
#
#   make install   [DESTDIR=/staging] [APXS=/path/to/apxs]
#   make uninstall [DESTDIR=/staging]
#
# install puts mod_cors.so in apxs's LIBEXECDIR.  On a Debian-style layout
# (SYSCONFDIR has mods-available/) it also writes mods-available/cors.load,
# whose LoadModule line names the real LIBEXECDIR, and cors.conf (commented
# examples only), the same files the .deb ships (debian/cors.load,
# debian/cors.conf).  It does not enable the module: run
# `a2enmod cors && apache2ctl configtest` for that.  A cors.conf changed by
# the admin is never overwritten or removed.  Elsewhere it prints the LoadModule line to add.
#
# Neither touches a mod_cors.so that a Debian package (libapache2-mod-cors)
# installed: use dpkg for that one.
#
# uninstall removes those files, first disabling the module (a2dismod cors)
# when it is enabled on this machine; other modules are never touched.

.PHONY: install uninstall

# apxs's directories; override on the command line to install elsewhere.
LIBEXECDIR ?= $(shell $(APXS) -q LIBEXECDIR 2>/dev/null)
SYSCONFDIR ?= $(shell $(APXS) -q SYSCONFDIR 2>/dev/null)

CORS_LOAD_SRC = debian/cors.load
CORS_CONF_SRC = debian/cors.conf

# The shell is in tools/install-module.sh.
INSTALL_ENV = APXS='$(APXS)' LIBEXECDIR='$(LIBEXECDIR)' SYSCONFDIR='$(SYSCONFDIR)' \
	DESTDIR='$(DESTDIR)' V='$(V)' CORS_LOAD_SRC='$(CORS_LOAD_SRC)' CORS_CONF_SRC='$(CORS_CONF_SRC)' \
	CORS_LA='$(CORS_LA)'

install: all
	@$(INSTALL_ENV) sh tools/install-module.sh install

uninstall:
	@$(INSTALL_ENV) sh tools/install-module.sh uninstall

# SPDX-License-Identifier: Apache-2.0
# mk/dbd.mk -- CORSAllowOriginMap "dbd:QUERY" ["CHANGE-QUERY"]: origins from a SQL
# database through mod_dbd (mod_cors_dbd.c).
#
#   make test-fleet      three httpd servers (event, worker, prefork) sharing one
#                        throw-away PostgreSQL (tests/fleet/test_fleet.py): changes
#                        converge, an outage is answered from the last version;
#                        part of `make test` (about 30 s)
#   make test-fleet-mysql the same with MariaDB and APR-util's mysql driver
#                        (installs mariadb-server, libaprutil1-dbd-mysql); part of
#                        `make ci-extra`
#   make bench-dbd       the dbd row of the benchmarks (bench/dbd_bench.py): a
#                        1,000,000-row map's lookups against two configured origins
#                        (callgrind), the time from an INSERT to every server
#                        answering, and the database's queries per second per server
#                        at rest; DBD_ROWS, DBD_SERVERS, DBD_REST_SECONDS
#
# The SQLite tests are part of the integration suite (tests/integration/test_dbd.py).
# tools/ensure-deps.sh installs PostgreSQL, sqlite3 and APR-util's drivers.

DBD_ROWS         ?= 1000000
DBD_SERVERS      ?= 3
DBD_REST_SECONDS ?= 10
export DBD_ROWS DBD_SERVERS DBD_REST_SECONDS DBD_PARTS

TEST_TARGETS += test-fleet
CI_TARGETS   += test-fleet-mysql

.PHONY: test-fleet test-fleet-mysql bench-dbd

test-fleet: all
	@sh tools/ensure-deps.sh test
	CORS_MODULE=$(abspath $(CORS_SO)) $(PYTEST) tests/fleet

test-fleet-mysql: all
	@sh tools/ensure-deps.sh test
	@sh tools/ensure-pkgs.sh mariadb-server libaprutil1-dbd-mysql
	FLEET_DB=mysql CORS_MODULE=$(abspath $(CORS_SO)) $(PYTEST) tests/fleet

bench-dbd: all bench-deps
	CORS_MODULE=$(abspath $(CORS_SO)) $(PYTHON) bench/dbd_bench.py

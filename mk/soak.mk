# SPDX-License-Identifier: Apache-2.0
# mk/soak.mk -- load test: wrk with a mix of CORS requests against each MPM.
#
#   make test-soak (or: make soak)             200 connections, 60 s per MPM
#   make soak SOAK_SECONDS=20 SOAK_MPMS=event  shorter, one MPM
#
# Not part of `make test` or CI (it takes SOAK_SECONDS per MPM plus start-up).  It fails on
# a socket error, an unexpected status or Access-Control-Allow-Origin, a sampled response
# with a wrong header, an access-log line that does not match its request, or an error-log
# line; it prints requests, req/s and the children's memory before and after, per MPM.
# See tests/soak/soak.py.
#
#   make soak-map                              CORSAllowOriginMap: a txt map changed every
#                                              second under load (10,000 / 100,000 entries),
#                                              renamed in, written in place, torn mid-line,
#                                              replaced by a FIFO, truncated to 0 bytes
#   make soak-map SOAK_SECONDS=20 SOAK_MPMS=event SOAK_CONNECTIONS=50
#
# Fails on a socket error, an answer no complete version allows (an origin only a torn file
# has, an origin every version has refused), no version published, a bad file the loader did
# not log, a child not on the last version at the end, or the children's PSS grown or holding
# more than one copy (tests/soak/map_soak.py; SOAK_MAP_SMALL, SOAK_MAP_LARGE).

SOAK_SECONDS     ?= 60
SOAK_CONNECTIONS ?= 200
SOAK_THREADS     ?= 2
SOAK_MPMS        ?= event,worker,prefork
SOAK_MAP_SMALL   ?= 10000
SOAK_MAP_LARGE   ?= 100000

.PHONY: soak test-soak soak-map
soak: test-soak
test-soak: all
	@sh tools/ensure-deps.sh test
	@sh tools/ensure-pkgs.sh wrk
	$(PYTHON) tests/soak/soak.py --seconds $(SOAK_SECONDS) \
	    --connections $(SOAK_CONNECTIONS) --threads $(SOAK_THREADS) --mpms $(SOAK_MPMS)

soak-map: all
	@sh tools/ensure-deps.sh test
	@sh tools/ensure-pkgs.sh wrk
	$(PYTHON) tests/soak/map_soak.py --seconds $(SOAK_SECONDS) \
	    --connections $(SOAK_CONNECTIONS) --threads $(SOAK_THREADS) --mpms $(SOAK_MPMS) \
	    --small $(SOAK_MAP_SMALL) --large $(SOAK_MAP_LARGE)

# SPDX-License-Identifier: Apache-2.0
"""Access-log checks that tolerate httpd's write order.

httpd writes a request's access-log line after it has sent the response, in whichever
worker thread served it, so the lines of two consecutive requests can swap, and a proxied
request adds the backend's own line to the same log.  These helpers wait (up to 3 s) until
the expected lines are among the most recent ones, in any order."""

import collections
import time


def assert_logged(srv, *expected: str, slack: int = 2, timeout: float = 3.0):
    """Every line of `expected` (duplicates counted) is among the last
    len(expected) + slack lines of srv's access log."""
    want = collections.Counter(expected)
    deadline = time.monotonic() + timeout
    while True:
        recent = srv.access_log_lines()[-(len(expected) + slack):]
        if not want - collections.Counter(recent):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"access log: want {list(expected)!r} among the last "
                                 f"lines, got {recent!r}")
        time.sleep(0.02)

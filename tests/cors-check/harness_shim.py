# SPDX-License-Identifier: Apache-2.0
"""The one place the cors-check grid imports the project's httpd test harness from.

The harness may move; repoint HARNESS_DIR here and nothing else changes."""

import pathlib
import sys

HARNESS_DIR = pathlib.Path(__file__).resolve().parents[1] / "lib"
if str(HARNESS_DIR) not in sys.path:
    sys.path.insert(0, str(HARNESS_DIR))

from httpd_harness import Httpd  # noqa: E402,F401

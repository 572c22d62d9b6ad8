# SPDX-License-Identifier: Apache-2.0
"""pytest configuration for make test-fleet: the harness (tests/lib) on the path."""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

"""Loaded by every Python subprocess the tests start (tests/support is on their PYTHONPATH)."""

import os

if os.environ.get("FBHUB_TEST_LOOPBACK_ONLY") == "1":
    import loopback_guard

    loopback_guard.install()

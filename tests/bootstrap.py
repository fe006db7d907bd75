"""Loaded with ``-p tests.bootstrap`` before pytest-django imports the settings.

Gives every test run its own data directory (database file, shared cache, backups),
so the suite never touches a developer's real data, and blocks the internet before
any test module is imported.
"""

import os
import tempfile

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="cryptodt-test-"))
os.environ.setdefault("SENTIMENT_MODEL", "lexicon")

from tests.network_guard import block_internet  # noqa: E402

block_internet()

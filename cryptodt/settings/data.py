"""Where data is kept: the database, the caches, the channel layer, the task queue's broker,
and how long collected rows, archives and backups are kept.

Without REDIS_URL / DATABASE_URL everything stays in one machine's DATA_DIR (SQLite, an
in-process and a file cache, Channels' in-memory layer, django-q2's ORM broker).
"""

from pathlib import Path

import dj_database_url

from cryptodt.env import envbool, envfloat, envint, envstr
from cryptodt.settings.base import DATA_DIR

# --- Database -----------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cryptodt.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
# How long a request waits for the database (SQLite's busy timeout; PostgreSQL's connect
# and lock timeouts) before it answers 503 + Retry-After (cryptodt/api/errors.py).
DB_TIMEOUT_S = envfloat("DB_TIMEOUT_S", 20.0, minimum=0.1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"connect_timeout": max(1, round(DB_TIMEOUT_S)), "options": f"-c lock_timeout={int(DB_TIMEOUT_S * 1000)}"}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if envbool("SQLITE_NO_PERSISTENT", False) else 60
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the collector writes; IMMEDIATE takes the
        # write lock up front so concurrent writers queue on the busy timeout instead of
        # failing with "database is locked" half-way through a transaction.
        # cache_size: every request thread keeps its own connection (CONN_MAX_AGE), each
        # with its own page cache; SQLite's default of 2 MiB apiece grows with the data
        # read. 512 KiB each bounds the web process's share (the OS page cache serves the rest).
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={int(DB_TIMEOUT_S * 1000)};"
            " PRAGMA cache_size=-512;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": DB_TIMEOUT_S,
        # Prepared statements kept per connection (sqlite3's default is 128). Each costs
        # SQLite memory outside Python's heap, and SQL text differs per LIMIT value and per
        # length of an IN (...) list, so every request thread's connection would fill up
        # with near-duplicates (BENCHMARKS.md, "reliability"). The common reads fit in 32.
        "cached_statements": 32,
    }
    # Tests use a real file, so server processes started by a test share its database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer, task queue ---------------------------------------------------
# "default" holds per-request data (cached responses, rate-limit counters): in-process
# in the embedded profile, where one web process serves HTTP. "shared" holds what every
# process must see alike; with REDIS_URL both are the same Redis.
REDIS_URL = envstr("REDIS_URL")
# A stopped or frozen Redis costs a request at most one REDIS_TIMEOUT_S wait; then the
# cache reads as empty (answers come from the database) for REDIS_RETRY_S before the
# next try (cryptodt/cache.py, docs/operations.md).
REDIS_TIMEOUT_S = envfloat("REDIS_TIMEOUT_S", 0.25, minimum=0.01)
REDIS_RETRY_S = envfloat("REDIS_RETRY_S", 2.0, minimum=0.0)
# Bytes the in-process caches of one web process may hold together (keys plus values); the
# oldest go first. WEB_WORKERS (2) processes each hold their own copy, so 4 MiB apiece is
# the 8 MiB one process used to hold (BENCHMARKS.md, "Memory under random query strings").
# The rendered answers (cryptodt.data_cache) take all of it with Redis, and half of it in
# the embedded profile, where the default cache below takes the other half.
LOCAL_CACHE_MAX_BYTES = envint("LOCAL_CACHE_MAX_BYTES", 4 * 1024 * 1024, minimum=1024 * 1024)
ANSWER_CACHE_MAX_BYTES = LOCAL_CACHE_MAX_BYTES if REDIS_URL else LOCAL_CACHE_MAX_BYTES // 2
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cryptodt.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cryptodt",
            "OPTIONS": {
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_S,
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_S,
                "IGNORE_EXCEPTIONS": True,
                "RETRY_S": REDIS_RETRY_S,
            },
        },
    }
    CACHES["shared"] = CACHES["default"]
    # channels_redis receives with BZPOPMIN for up to 5 s, and redis-py 8 reads with a 5 s
    # default socket timeout: every idle receive raced its own timeout and raised
    # TimeoutError (BENCHMARKS.md, "Live feed"). Reads may take a little longer than that.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 10}], "prefix": "cryptodt:ws"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "cryptodt.cache.BoundedLocMemCache",
            "LOCATION": "cryptodt",
            "OPTIONS": {"MAX_ENTRIES": 20000, "MAX_BYTES": LOCAL_CACHE_MAX_BYTES - ANSWER_CACHE_MAX_BYTES},
        },
        # State that the web server and the django-q2 cluster (separate processes) must
        # agree on: circuit breakers, provider budgets and statistics. A file cache is
        # shared between processes and keeps those small, rarely-written keys off the
        # SQLite write lock.
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "shared-cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

Q_CLUSTER = {
    "name": "cryptodt",
    "workers": envint("Q_WORKERS", 2, minimum=1),
    "timeout": envint("Q_TIMEOUT_S", 600, minimum=10),
    "retry": envint("Q_TIMEOUT_S", 600, minimum=10) + 60,
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Retention, archive, backups ---------------------------------------------------------
RAW_RETENTION_DAYS = envint("RAW_RETENTION_DAYS", 7, minimum=1)
HISTORY_RETENTION_DAYS = envint("HISTORY_RETENTION_DAYS", 90, minimum=1)
ARCHIVE_DIR = envstr("ARCHIVE_DIR")
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_KEEP = envint("BACKUP_KEEP", 7, minimum=1)

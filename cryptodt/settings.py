"""cryptodt settings: everything an operator can change comes from the environment.

The embedded default (no environment at all) runs on SQLite in WAL mode, an
in-process cache, Channels' in-memory layer and django-q2's ORM broker. Setting
DATABASE_URL / REDIS_URL moves the same code onto PostgreSQL and Redis.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from cryptodt.env import envbool, envfloat, envint, envlist, envrate, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", True)

# Prometheus multiprocess mode: every process (web workers, task cluster, stream_prices)
# writes its samples here and /metrics sums them (cryptodt/metrics.py). Set into the
# environment before prometheus_client is imported, so every child inherits it.
METRICS_DIR = Path(envstr("PROMETHEUS_MULTIPROC_DIR") or DATA_DIR / "metrics")
METRICS_DIR.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
# Bearer token for scrapes of /metrics from anywhere but loopback (empty: loopback only).
METRICS_TOKEN = envstr("METRICS_TOKEN")


def _secret_key() -> str:
    key = envstr("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0.")
    # A development install keeps one random key in its data directory, so sessions
    # and signed tokens survive restarts without any secret living in the repository.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG=0 (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_q",
    "cryptodt",
    "providers",
    "accounts",
    "markets",
    "sentiment",
    "streaming",
    "alerts",
    "dashboard",
]

MIDDLEWARE = [
    "cryptodt.observability.RequestObservation",
    "cryptodt.middleware.ForwardedClientAddress",
    "cryptodt.middleware.DatabaseUnavailable",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "cryptodt.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "cryptodt.middleware.AuthenticationMiddleware",
    "accounts.middleware.AuditMiddleware",
    "accounts.middleware.RateLimitHeadersMiddleware",
    "cryptodt.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cryptodt.urls"
WSGI_APPLICATION = "cryptodt.wsgi.application"
ASGI_APPLICATION = "cryptodt.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

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

# --- Auth, API ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["cryptodt.api.parsers.SafeJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "cryptodt.api.negotiation.FastDefaultContentNegotiation",
    # Every API view, whoever writes it: JWT or API key, anonymous reads only while
    # ANON_READS is on, and the caller's tier limit (see docs/accounts.md).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerJWTAuthentication",
        "accounts.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.AuthenticatedOrAnonymousReads"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.ratelimit.TierRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "cryptodt.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "cryptodt.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "cryptodt API",
    "DESCRIPTION": "Self-hosted cryptocurrency market data: prices, candles, DeFi TVL, sentiment.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from drf-spectacular-sidecar's static files: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Error answers and their bodies, documented once for every operation (cryptodt/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "cryptodt.api.schema.document_errors"],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=envint("JWT_ACCESS_MINUTES", 15, minimum=1)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=envint("JWT_REFRESH_DAYS", 7, minimum=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
}

# Anonymous: enough for the README tour and a person exploring; an API key gets more.
RATE_ANON = envrate("RATE_ANON", "30/m")
RATE_FREE = envrate("RATE_FREE", "50/m")
RATE_PRO = envrate("RATE_PRO", "500/m")
ANON_READS = envbool("ANON_READS", True)
# Password guessing on /api/auth/token, on top of the tier limit.
RATE_TOKEN_IP = envrate("RATE_TOKEN_IP", "10/m")
RATE_TOKEN_USERNAME = envrate("RATE_TOKEN_USERNAME", "5/m")
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", 30, minimum=1)
AUDIT_FLUSH_INTERVAL_S = envfloat("AUDIT_FLUSH_INTERVAL_S", 5.0, minimum=0)
AUDIT_BATCH = envint("AUDIT_BATCH", 200, minimum=1)
# Entries reach an append-only spool file this often (a hard kill loses at most this
# much), and the database from there (accounts/audit.py).
AUDIT_SPOOL_INTERVAL_S = envfloat("AUDIT_SPOOL_INTERVAL_S", 0.5, minimum=0.05)
AUDIT_SPOOL_DIR = Path(envstr("AUDIT_SPOOL_DIR", str(DATA_DIR / "audit-spool")))
# How long an API key's row is kept in the shared cache; changes to the key, its user or
# their profile drop it at once (accounts/signals.py).
API_KEY_CACHE_S = envint("API_KEY_CACHE_S", 300, minimum=1)

CORS_ALLOWED_ORIGINS = envlist("CORS_ALLOWED_ORIGINS", [])
CORS_ALLOW_ALL_ORIGINS = envbool("CORS_ALLOW_ALL_ORIGINS", False)
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "x-api-key", "x-cg-demo-api-key", "x-cg-pro-api-key"]
# Browsers hide response headers from scripts unless they are listed here.
CORS_EXPOSE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "X-Request-ID"]
CORS_PREFLIGHT_MAX_AGE = 3600

# --- Providers and collection --------------------------------------------------------------
# Keyless and demo keys use api.coingecko.com (x-cg-demo-api-key); a pro key uses
# pro-api.coingecko.com (x-cg-pro-api-key). COINGECKO_BASE_URL, when set, wins over the plan's host.
COINGECKO_API_KEY = envstr("COINGECKO_API_KEY")
COINGECKO_API_PLAN = envstr("COINGECKO_API_PLAN", "demo").lower()
if COINGECKO_API_PLAN not in {"demo", "pro"}:
    raise ImproperlyConfigured("COINGECKO_API_PLAN must be demo or pro")
COINGECKO_BASE_URL = envstr(
    "COINGECKO_BASE_URL",
    "https://pro-api.coingecko.com/api/v3"
    if COINGECKO_API_KEY and COINGECKO_API_PLAN == "pro"
    else "https://api.coingecko.com/api/v3",
)
# Binance's market-data-only hosts answer where api.binance.com says 451 (US, most clouds).
BINANCE_BASE_URL = envstr("BINANCE_BASE_URL", "https://data-api.binance.vision")
BINANCE_WS_URL = envstr("BINANCE_WS_URL", "wss://data-stream.binance.vision")
# CoinCap v3 needs a key (v2 was retired 2025-03-31); without one CoinCap is skipped.
COINCAP_BASE_URL = envstr("COINCAP_BASE_URL", "https://rest.coincap.io/v3")
COINCAP_API_KEY = envstr("COINCAP_API_KEY")
KRAKEN_BASE_URL = envstr("KRAKEN_BASE_URL", "https://api.kraken.com")
COINBASE_BASE_URL = envstr("COINBASE_BASE_URL", "https://api.exchange.coinbase.com")
COINPAPRIKA_BASE_URL = envstr("COINPAPRIKA_BASE_URL", "https://api.coinpaprika.com/v1")
DEFILLAMA_BASE_URL = envstr("DEFILLAMA_BASE_URL", "https://api.llama.fi")
DEFILLAMA_PRICES_BASE_URL = envstr("DEFILLAMA_PRICES_BASE_URL", "https://coins.llama.fi")
FNG_BASE_URL = envstr("FNG_BASE_URL", "https://api.alternative.me")
# CryptoCompare's keyless tier ended 2026-05-21; its news lives on in the CoinDesk Data API (key needed).
COINDESK_BASE_URL = envstr("COINDESK_BASE_URL", "https://data-api.coindesk.com")
COINDESK_API_KEY = envstr("COINDESK_API_KEY")
NEWS_RSS_FEEDS = envlist(
    "NEWS_RSS_FEEDS",
    ["https://www.coindesk.com/arc/outboundfeeds/rss/", "https://cointelegraph.com/rss"],
)
PROVIDER_TIMEOUT_S = envfloat("PROVIDER_TIMEOUT_S", 5.0, minimum=0.1)
COLLECT_INTERVAL_S = envint("COLLECT_INTERVAL_S", 300, minimum=30)
SENTIMENT_INTERVAL_S = envint("SENTIMENT_INTERVAL_S", 3600, minimum=60)
TRACKED_COINS = envint("TRACKED_COINS", 250, minimum=1)
# Candles are collected for the most-watched coins only (the top OHLCV_COINS tracked).
OHLCV_COINS = envint("OHLCV_COINS", 20, minimum=0)
OHLCV_INTERVALS = envlist("OHLCV_INTERVALS", ["30m", "1h", "1d"])
# How long a read request may wait for a coin nobody collects (fetched once, then stored).
ON_DEMAND_TIMEOUT_S = envfloat("ON_DEMAND_TIMEOUT_S", 2.0, minimum=0.1)
# An exchange quote further than this share from the coin's last stored price is rejected (0.5 = 50%).
EXCHANGE_MAX_DEVIATION = envfloat("EXCHANGE_MAX_DEVIATION", 0.5, minimum=0.01)

# Provider layer: failover order and strategy per capability, circuit breakers, retries and
# free-tier budgets. The environment gives the defaults; operators override them in the
# admin (markets.models.ProviderSetting / CapabilitySetting) without a restart.
PROVIDER_NAMES = (
    "coingecko",
    "coincap",
    "coinpaprika",
    "defillama_prices",
    "binance",
    "kraken",
    "coinbase",
    "defillama",
    "alternative_me",
    "coindesk",
    "rss",
)
PROVIDER_DEFAULT_ORDER = {
    "prices": ["binance", "coingecko", "defillama_prices", "coinpaprika", "coincap", "kraken", "coinbase"],
    "markets": ["coingecko", "coinpaprika", "coincap"],
    "coin_list": ["coingecko", "coinpaprika"],
    "candles": ["binance", "kraken", "coinbase", "coingecko"],
    "price_history": ["coingecko", "binance", "kraken", "coinbase"],
    "trending": ["coingecko"],
    "global": ["coingecko", "coinpaprika"],
    "defi": ["defillama"],
    "fear_greed": ["alternative_me"],
    # News is gathered from every provider in the list, not failed over.
    "news": ["coindesk", "rss"],
    "exchange_pairs": ["binance", "kraken", "coinbase"],
}
PROVIDER_ORDER = {
    capability: envlist(f"PROVIDER_ORDER_{capability.upper()}", order)
    for capability, order in PROVIDER_DEFAULT_ORDER.items()
}
PROVIDER_STRATEGY = {
    capability: envstr(f"PROVIDER_STRATEGY_{capability.upper()}", "priority") for capability in PROVIDER_DEFAULT_ORDER
}
for _capability, _strategy in PROVIDER_STRATEGY.items():
    if _strategy not in {"priority", "round_robin", "fastest", "least_used"}:
        raise ImproperlyConfigured(
            f"PROVIDER_STRATEGY_{_capability.upper()} must be priority, round_robin, fastest or least_used"
        )
for _capability, _order in PROVIDER_ORDER.items():
    if set(_order) - set(PROVIDER_NAMES):
        raise ImproperlyConfigured(f"PROVIDER_ORDER_{_capability.upper()} names unknown providers: {_order}")
PROVIDERS_DISABLED = envlist("PROVIDERS_DISABLED", [])
PROVIDER_RETRIES = envint("PROVIDER_RETRIES", 1, minimum=0)
PROVIDER_BACKOFF_S = envfloat("PROVIDER_BACKOFF_S", 0.2, minimum=0.0)
PROVIDER_MAX_RETRY_AFTER_S = envfloat("PROVIDER_MAX_RETRY_AFTER_S", 2.0, minimum=0.0)
PROVIDER_BREAKER_FAILURES = envint("PROVIDER_BREAKER_FAILURES", 3, minimum=1)
PROVIDER_BREAKER_COOLDOWN_S = envfloat("PROVIDER_BREAKER_COOLDOWN_S", 60.0, minimum=0.0)
# A provider that answers 451/403 ("not from this address") is left alone this long.
PROVIDER_BLOCKED_BACKOFF_S = envfloat("PROVIDER_BLOCKED_BACKOFF_S", 3600.0, minimum=1.0)
# Free tiers as the providers publish them (None: no monthly cap). Binance counts request
# weight, the others count calls.
PROVIDER_DEFAULT_BUDGETS = {
    "coingecko": (30, 10_000),
    "coincap": (200, None),
    "binance": (6_000, None),
    "kraken": (60, None),
    "defillama": (300, None),
    "alternative_me": (60, None),
    "coinpaprika": (60, 20_000),  # free plan: 20,000 calls a month
    "defillama_prices": (300, None),
    "coinbase": (600, None),  # 10 requests a second per IP on public endpoints
    "coindesk": (50, 100_000),
    "rss": (60, None),  # a call per feed
}
PROVIDER_BUDGETS = {
    name: (
        envint(f"{name.upper()}_BUDGET_PER_MINUTE", per_minute, minimum=1),
        envint(f"{name.upper()}_BUDGET_PER_MONTH", per_month or 0, minimum=0) or None,  # 0: no cap
    )
    for name, (per_minute, per_month) in PROVIDER_DEFAULT_BUDGETS.items()
}
# The share of each monthly budget the collection schedule may plan for; the rest is
# headroom for on-demand fetches of untracked coins and backfills.
PROVIDER_PLAN_SHARE = envfloat("PROVIDER_PLAN_SHARE", 0.8, minimum=0.1)
RAW_RETENTION_DAYS = envint("RAW_RETENTION_DAYS", 7, minimum=1)
HISTORY_RETENTION_DAYS = envint("HISTORY_RETENTION_DAYS", 90, minimum=1)
ARCHIVE_DIR = envstr("ARCHIVE_DIR")
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_KEEP = envint("BACKUP_KEEP", 7, minimum=1)

SENTIMENT_MODEL = envstr("SENTIMENT_MODEL", "ProsusAI/finbert")
# A hub id is downloaded once into SENTIMENT_MODEL_DIR, in the background (docs/sentiment.md);
# HF_HUB_OFFLINE=1 forbids any download, HF_ENDPOINT points at a hub mirror.
SENTIMENT_MODEL_DIR = Path(envstr("SENTIMENT_MODEL_DIR", str(DATA_DIR / "models")))
HF_ENDPOINT = envstr("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
HF_HUB_OFFLINE = envbool("HF_HUB_OFFLINE", False)
# Readiness loads a downloaded model in a background thread, so the switch is reported
# without waiting for the first text to score (off in unit tests: status() must not load).
SENTIMENT_PRELOAD = envbool("SENTIMENT_PRELOAD", True)
# CPU threads torch may use for inference, texts per forward pass, tokens kept per text.
SENTIMENT_THREADS = envint("SENTIMENT_THREADS", 2, minimum=1)
SENTIMENT_BATCH_SIZE = envint("SENTIMENT_BATCH_SIZE", 16, minimum=1)
SENTIMENT_MAX_LENGTH = envint("SENTIMENT_MAX_LENGTH", 256, minimum=8)

WS_HEARTBEAT_S = envint("WS_HEARTBEAT_S", 20, minimum=1)
WS_MAX_CONNECTIONS = envint("WS_MAX_CONNECTIONS", 1000, minimum=1)
# Embedded profile only (no REDIS_URL): how often the web process looks for prices the
# collector process stored, to push them to its WebSocket clients (docs/streaming.md).
WS_RELAY_INTERVAL_S = envfloat("WS_RELAY_INTERVAL_S", 1.0, minimum=0.1)
# stream_prices stores (and so broadcasts) at most one exchange tick per coin this often.
STREAM_STORE_INTERVAL_S = envfloat("STREAM_STORE_INTERVAL_S", 5.0, minimum=0.0)

# Price alerts (docs/alerts.md). Rules per account tier; 0 means unlimited.
ALERT_RULES_FREE = envint("ALERT_RULES_FREE", 5, minimum=0)
ALERT_RULES_PRO = envint("ALERT_RULES_PRO", 100, minimum=0)
ALERT_RULES_ENTERPRISE = envint("ALERT_RULES_ENTERPRISE", 0, minimum=0)
# Webhooks to private, loopback, link-local or reserved addresses are refused unless this is on
# (a self-hoster's receiver on the LAN); the check runs at creation and again at every send.
ALERT_ALLOW_PRIVATE_WEBHOOKS = envbool("ALERT_ALLOW_PRIVATE_WEBHOOKS", False)
ALERT_WEBHOOK_TIMEOUT_S = envfloat("ALERT_WEBHOOK_TIMEOUT_S", 5.0, minimum=0.1)
ALERT_WEBHOOK_MAX_ATTEMPTS = envint("ALERT_WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
# Retry n waits about BACKOFF * 2**(n-1) seconds (full jitter), at most BACKOFF_MAX.
ALERT_WEBHOOK_BACKOFF_S = envfloat("ALERT_WEBHOOK_BACKOFF_S", 30.0, minimum=0.0)
ALERT_WEBHOOK_BACKOFF_MAX_S = envfloat("ALERT_WEBHOOK_BACKOFF_MAX_S", 3600.0, minimum=0.0)
# A delivery still pending this long after it was due (its task lost in a crash) is
# enqueued again by the sweeper; a sender holds a delivery this long before another may take it.
ALERT_SWEEP_AFTER_S = envint("ALERT_SWEEP_AFTER_S", 60, minimum=0)
ALERT_DELIVERY_LEASE_S = envint("ALERT_DELIVERY_LEASE_S", 60, minimum=1)
if ALERT_DELIVERY_LEASE_S <= ALERT_WEBHOOK_TIMEOUT_S:
    raise ImproperlyConfigured("ALERT_DELIVERY_LEASE_S must be longer than ALERT_WEBHOOK_TIMEOUT_S.")
# Each readiness/liveness check's own time limit (they run side by side): a hung part
# reads as failed, and /api/health/ready answers within about this long (cryptodt/health.py).
HEALTH_TIMEOUT_S = envfloat("HEALTH_TIMEOUT_S", 0.8, minimum=0.05)

# Threads per web process that run Django's (sync) request handling; see cryptodt/asgi.py.
# Per web process. Two processes of 4 are the 8 threads one process had for 2 cores (the
# work is CPU under the GIL: 2, 4 and 8 threads served alike, BENCHMARKS.md "platform");
# each thread keeps a database connection with its own caches and a malloc arena.
WEB_THREADS = envint("WEB_THREADS", 4, minimum=1)
# How many web processes serve this installation (bin/serve.py sets it for its children):
# without Redis each holds its share of WS_MAX_CONNECTIONS (streaming.capacity).
WEB_WORKERS = envint("WEB_WORKERS", 1, minimum=1)

# --- Static files, i18n ------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Production hardening ------------------------------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # Platform health probes (Docker, Hugging Face, load balancers) speak plain HTTP
    # from inside; they must get the answer, not a redirect to https.
    SECURE_REDIRECT_EXEMPT = [r"^api/health(/ready)?$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    # Platforms that terminate TLS in front of the app (Hugging Face Spaces, most PaaS)
    # say so with X-Forwarded-Proto; trust it only when the operator opts in.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies in front of cryptodt append to X-Forwarded-For (Hugging Face: 1);
# 0 trusts none and keeps the connection's address (cryptodt/middleware.py).
TRUSTED_PROXY_HOPS = envint("TRUSTED_PROXY_HOPS", 0, minimum=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "cryptodt.api.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAX_REQUEST_BYTES", 1_048_576, minimum=1024)

# plain: readable lines; json: one JSON object per line (the container's default).
LOG_FORMAT = envstr("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"()": f"cryptodt.logs.{'json_formatter' if LOG_FORMAT == 'json' else 'PlainFormatter'}"}},
    # No token, key or password reaches a log line: the filter sits on the handler, so
    # it sees every record, including the dev server's and uvicorn's access logs.
    "filters": {"redact_secrets": {"()": "accounts.log_redaction.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

"""The API framework and who may call it: passwords, DRF, the OpenAPI schema, JWT, tier
rate limits, the audit log and the API-key cache (docs/accounts.md)."""

from datetime import timedelta
from pathlib import Path

from cryptodt.env import envbool, envfloat, envint, envrate, envstr
from cryptodt.settings.base import DATA_DIR

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

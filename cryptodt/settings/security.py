"""Secrets, host names, HTTPS hardening, proxies in front, cross-origin reads."""

import secrets

from django.core.exceptions import ImproperlyConfigured

from cryptodt.env import envbool, envint, envlist, envstr
from cryptodt.settings.base import DATA_DIR, DEBUG


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

# --- Cross-origin reads of the API -------------------------------------------------------------
CORS_ALLOWED_ORIGINS = envlist("CORS_ALLOWED_ORIGINS", [])
CORS_ALLOW_ALL_ORIGINS = envbool("CORS_ALLOW_ALL_ORIGINS", False)
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "x-api-key", "x-cg-demo-api-key", "x-cg-pro-api-key"]
# Browsers hide response headers from scripts unless they are listed here.
CORS_EXPOSE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "X-Request-ID"]
CORS_PREFLIGHT_MAX_AGE = 3600

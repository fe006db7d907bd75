"""Metrics, health checks and logging."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from cryptodt.env import envfloat, envstr
from cryptodt.settings.base import DATA_DIR

# Prometheus multiprocess mode: every process (web workers, task cluster, stream_prices)
# writes its samples here and /metrics sums them (cryptodt/metrics.py). Set into the
# environment before prometheus_client is imported, so every child inherits it.
METRICS_DIR = Path(envstr("PROMETHEUS_MULTIPROC_DIR") or DATA_DIR / "metrics")
METRICS_DIR.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)
# Bearer token for scrapes of /metrics from anywhere but loopback (empty: loopback only).
METRICS_TOKEN = envstr("METRICS_TOKEN")

# Each readiness/liveness check's own time limit (they run side by side): a hung part
# reads as failed, and /api/health/ready answers within about this long (cryptodt/health.py).
HEALTH_TIMEOUT_S = envfloat("HEALTH_TIMEOUT_S", 0.8, minimum=0.05)

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

"""Price alerts: rules per tier and the delivery of their webhooks (docs/alerts.md)."""

from django.core.exceptions import ImproperlyConfigured

from cryptodt.env import envbool, envfloat, envint

# Rules per account tier; 0 means unlimited.
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

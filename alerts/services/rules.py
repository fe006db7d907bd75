"""Creating, changing and deleting a user's alert rules, within the tier's limit."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Tier
from accounts.selectors import tier_of
from alerts import outbound, secrets
from alerts.models import AlertRule
from cryptodt.api.errors import ApiError, InvalidParameter

# Changing any of these makes it a new rule for edge detection: it may fire on its next value.
_DEFINING = {"coin", "condition", "window", "threshold"}


@dataclass(frozen=True)
class Saved:
    rule: AlertRule
    secret: str | None  # the webhook secret, only when it was just made (shown once)


def rule_limit(*, tier: Tier) -> int | None:
    limit = {
        Tier.FREE: settings.ALERT_RULES_FREE,
        Tier.PRO: settings.ALERT_RULES_PRO,
        Tier.ENTERPRISE: settings.ALERT_RULES_ENTERPRISE,
    }.get(tier, settings.ALERT_RULES_FREE)
    return limit or None


def _check_webhook(url: str) -> None:
    try:
        outbound.resolve(url)
    except outbound.UnsafeWebhook as exc:
        raise InvalidParameter("webhook_url", str(exc)) from None


def _check_targets(rule: AlertRule) -> None:
    if not rule.notify_websocket and not rule.webhook_url:
        raise InvalidParameter("webhook_url", "A rule needs a target: notify_websocket, a webhook_url, or both.")


def rule_create(*, user, fields: dict) -> Saved:
    rule = AlertRule(user=user, **fields)
    _check_targets(rule)
    if rule.webhook_url:
        _check_webhook(rule.webhook_url)
    secret = secrets.new_secret() if rule.webhook_url else None
    if secret:
        rule.webhook_secret = secrets.encrypt(secret)
    limit = rule_limit(tier=tier_of(user=user))
    with transaction.atomic():
        # The user's row, locked, serialises concurrent creations so the limit holds.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if limit is not None and AlertRule.objects.filter(user=user).count() >= limit:
            raise ApiError(
                f"Your tier allows {limit} alert rules; delete one or upgrade.",
                code="alert_limit_reached",
                details={"limit": limit},
                status=403,
            )
        rule.save()
    return Saved(rule=rule, secret=secret)


def rule_update(*, rule: AlertRule, fields: dict) -> Saved:
    secret = None
    fields = {name: value for name, value in fields.items() if getattr(rule, name) != value}
    for name, value in fields.items():
        setattr(rule, name, value)
    if rule.condition != "change_pct":
        rule.window = ""
    _check_targets(rule)
    if "webhook_url" in fields and rule.webhook_url:
        _check_webhook(rule.webhook_url)
        if not rule.webhook_secret:
            secret = secrets.new_secret()
            rule.webhook_secret = secrets.encrypt(secret)
    if _DEFINING & fields.keys() or fields.get("active") is True:
        rule.last_met = None
    rule.save()
    return Saved(rule=rule, secret=secret)


def rule_delete(*, rule: AlertRule) -> None:
    rule.delete()

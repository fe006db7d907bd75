"""The alert rule as the API reads and writes it (docs/alerts.md)."""

from decimal import Decimal

from rest_framework import serializers

from alerts.models import FEAR_GREED_CONDITIONS, WINDOWS, Condition
from alerts.services.evaluate import number
from cryptodt.times import iso

MAX_COOLDOWN_S = 30 * 86400
MAX_PRICE = Decimal("1e15")
MAX_CHANGE_PCT = Decimal("100000")


class RuleInput(serializers.Serializer):
    coin = serializers.CharField(max_length=120, required=False, allow_blank=False, allow_null=True)
    condition = serializers.ChoiceField(choices=Condition.choices)
    window = serializers.ChoiceField(choices=sorted(WINDOWS), required=False)
    threshold = serializers.DecimalField(max_digits=40, decimal_places=18)
    cooldown_s = serializers.IntegerField(min_value=0, max_value=MAX_COOLDOWN_S, required=False)
    repeat = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)
    notify_websocket = serializers.BooleanField(required=False)
    webhook_url = serializers.CharField(max_length=2000, required=False, allow_blank=True, trim_whitespace=True)

    def validate(self, data: dict) -> dict:
        """Checks the rule as it will be after this request (``instance`` for a PATCH)."""
        rule = self.instance
        condition = data.get("condition", rule.condition if rule else None)
        threshold = data.get("threshold", rule.threshold if rule else None)
        window = data.get("window") or (rule.window if rule else "")
        has_coin = bool(data.get("coin")) or bool(rule and rule.coin_id)
        if condition in FEAR_GREED_CONDITIONS:
            if data.get("coin"):
                raise serializers.ValidationError({"coin": "Fear & greed rules watch the whole market; omit coin."})
            if not 0 <= threshold <= 100:
                raise serializers.ValidationError({"threshold": "The fear & greed index runs from 0 to 100."})
            data["coin"] = None
        else:
            if not has_coin:
                raise serializers.ValidationError({"coin": "Price rules need a coin (its id or symbol)."})
            if condition == Condition.CHANGE_PCT:
                if window not in WINDOWS:
                    raise serializers.ValidationError({"window": "change_pct needs a window: 1h or 24h."})
                data["window"] = window
                if threshold == 0 or abs(threshold) > MAX_CHANGE_PCT:
                    raise serializers.ValidationError(
                        {"threshold": "A change threshold is a non-zero percentage (negative: a fall)."}
                    )
            elif not 0 < threshold < MAX_PRICE:
                raise serializers.ValidationError({"threshold": "A price threshold is a positive number."})
        if condition != Condition.CHANGE_PCT:
            if data.get("window"):
                raise serializers.ValidationError({"window": "Only change_pct rules have a window."})
            data["window"] = ""
        return data


def rule_output(rule, *, secret: str | None = None) -> dict:
    payload = {
        "id": rule.pk,
        "coin": {"id": rule.coin.coin_id, "symbol": rule.coin.symbol} if rule.coin_id else None,
        "condition": rule.condition,
        "window": rule.window or None,
        "threshold": number(rule.threshold),
        "cooldown_s": rule.cooldown_s,
        "repeat": rule.repeat,
        "active": rule.active,
        "notify_websocket": rule.notify_websocket,
        "webhook_url": rule.webhook_url or None,
        "fired_count": rule.fired_count,
        "last_fired_at": iso(rule.last_fired_at),
        "created": iso(rule.created),
    }
    if secret:
        payload["webhook_secret"] = secret
    return payload


def delivery_output(delivery) -> dict:
    return {
        "id": delivery.pk,
        "firing_id": str(delivery.firing_id),
        "channel": delivery.channel,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "next_attempt_at": iso(delivery.next_attempt_at) if delivery.state == "retrying" else None,
        "last_status": delivery.last_status,
        "last_error": delivery.last_error or None,
        "response_excerpt": delivery.response_excerpt or None,
        "delivered_at": iso(delivery.delivered_at),
    }


def firing_output(firing) -> dict:
    return {
        "id": str(firing.id),
        "value": number(firing.value),
        "observed_at": iso(firing.observed_at),
        "fired_at": iso(firing.fired_at),
        "payload": firing.payload,
        "deliveries": [delivery_output(d) for d in firing.deliveries.all()],
    }

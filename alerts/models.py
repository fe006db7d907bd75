"""Alert rules, their firings and each firing's deliveries.

A firing is written in the same transaction that decides it, before anything is sent;
its id is what receivers deduplicate on. Every target of a firing gets one Delivery row,
whose state machine (pending → sending → delivered | retrying → … → dead) is advanced
only by conditional UPDATEs, so two workers never send the same delivery at once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from markets.models.fields import money


class Condition(models.TextChoices):
    PRICE_ABOVE = "price_above", "Price above"
    PRICE_BELOW = "price_below", "Price below"
    CHANGE_PCT = "change_pct", "Change % over a window"
    FEAR_GREED_BELOW = "fear_greed_below", "Fear & greed below"
    FEAR_GREED_ABOVE = "fear_greed_above", "Fear & greed above"


PRICE_CONDITIONS = {Condition.PRICE_ABOVE, Condition.PRICE_BELOW, Condition.CHANGE_PCT}
FEAR_GREED_CONDITIONS = {Condition.FEAR_GREED_BELOW, Condition.FEAR_GREED_ABOVE}
WINDOWS = {"1h": 3600, "24h": 86400}


class AlertRule(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_rules")
    # Empty for fear & greed rules, which watch the market as a whole.
    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    condition = models.CharField(max_length=20, choices=Condition.choices)
    window = models.CharField(max_length=4, blank=True, default="", help_text="change_pct only: 1h or 24h")
    # change_pct: a signed percentage; a positive one fires on a rise of at least that much,
    # a negative one on a fall of at least that much.
    threshold = money(null=False, blank=False)
    cooldown_s = models.PositiveIntegerField(default=0)
    repeat = models.BooleanField(default=False, help_text="False: one-shot, disabled after firing once")
    active = models.BooleanField(default=True)
    notify_websocket = models.BooleanField(default=True)
    webhook_url = models.CharField(max_length=2000, blank=True, default="")
    webhook_secret = models.TextField(blank=True, default="", editable=False, help_text="Fernet-encrypted")
    # Edge detection: whether the condition held at the last value seen; None until the
    # first value, so a rule that is already true when created fires on its first value.
    last_met = models.BooleanField(null=True, blank=True)
    last_value = money()
    last_fired_at = models.DateTimeField(null=True, blank=True)
    fired_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        indexes = [
            # Evaluation reads only the active rules of the coins that changed, and tests their
            # thresholds inside this index: rules that did not flip are never fetched.
            models.Index(
                fields=["coin", "active", "condition", "window", "threshold", "last_met"], name="alert_rule_evaluate"
            ),
            models.Index(fields=["condition", "active"], name="alert_rule_condition_active"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.condition} {self.threshold} ({self.user})"


class Firing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="firings")
    value = money(null=False, blank=False)
    observed_at = models.DateTimeField(help_text="When the value that fired the rule was valid")
    fired_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The webhook body, fixed at firing time so every retry sends the same bytes' content.
    payload = models.JSONField()

    class Meta:
        ordering = ["-fired_at"]

    def __str__(self) -> str:
        return f"{self.id} rule #{self.rule_id} at {self.fired_at:%Y-%m-%d %H:%M:%S}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead letter"


class Delivery(models.Model):
    WEBHOOK = "webhook"
    WEBSOCKET = "websocket"

    firing = models.ForeignKey(Firing, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=[(WEBHOOK, "webhook"), (WEBSOCKET, "websocket")])
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A sender's lease: a delivery still "sending" after this was abandoned by a crashed worker.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    response_excerpt = models.CharField(max_length=512, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["firing", "channel"], name="alert_delivery_unique")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="alert_delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} of {self.firing_id}: {self.state}"

"""Operator control of the provider layer, editable in the admin without a restart.

A missing row, or a blank field, means "use the environment's default"
(settings.PROVIDER_ORDER / PROVIDER_STRATEGY / PROVIDER_BUDGETS / PROVIDERS_DISABLED).
The provider layer reads these through providers.config, never directly.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cryptodt.sealed import SealedTextField

STRATEGIES = [
    ("priority", "priority: the configured order"),
    ("round_robin", "round-robin: rotate the start of the order on every call"),
    ("fastest", "fastest: lowest moving-average latency among healthy providers"),
    ("least_used", "least used: lowest share of this minute's budget spent"),
]


class ProviderSetting(models.Model):
    name = models.CharField(max_length=32, unique=True, choices=[(n, n) for n in settings.PROVIDER_NAMES])
    enabled = models.BooleanField(default=True)
    priority = models.IntegerField(
        default=100,
        help_text="Lower is asked first within every capability's order; equal values keep that order.",
    )
    budget_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank: the free tier default (Binance counts request weight)."
    )
    budget_per_month = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: the free tier default.")
    api_key = SealedTextField(
        purpose="provider api keys",
        blank=True,
        help_text="Overrides the key from the environment (e.g. COINGECKO_API_KEY); stored encrypted.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return self.name


class CapabilitySetting(models.Model):
    capability = models.CharField(max_length=32, unique=True, choices=[(c, c) for c in settings.PROVIDER_DEFAULT_ORDER])
    strategy = models.CharField(max_length=16, choices=STRATEGIES, default="priority")
    order = models.CharField(
        max_length=200,
        blank=True,
        help_text="Comma-separated provider names, first asked first. Blank: the default order.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["capability"]

    def __str__(self) -> str:
        return self.capability

    def clean(self) -> None:
        unknown = [name for name in self.order_names() if name not in settings.PROVIDER_NAMES]
        if unknown:
            raise ValidationError({"order": f"unknown provider(s): {', '.join(unknown)}"})

    def order_names(self) -> list[str]:
        return [name.strip() for name in self.order.split(",") if name.strip()]

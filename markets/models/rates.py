from django.db import models

from markets.models.fields import money, source


class ExchangeRate(models.Model):
    """The newest value of one currency in BTC (1 BTC = ``value`` units), from CoinGecko's
    /exchange_rates; /api/v3/ converts stored usd figures into other currencies with it."""

    key = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    unit = models.CharField(max_length=20)
    value = money(null=False, blank=False)
    type = models.CharField(max_length=10)
    t = models.DateTimeField(help_text="When the rates were fetched")
    source = source()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"1 BTC = {self.value} {self.key}"

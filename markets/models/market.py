from django.db import models

from markets.models.fields import money, source


class GlobalSnapshot(models.Model):
    t = models.DateTimeField(unique=True)
    total_market_cap_usd = money(null=False, blank=False)
    total_volume_usd = money(null=False, blank=False)
    btc_dominance_pct = money()
    eth_dominance_pct = money()
    active_cryptocurrencies = models.PositiveIntegerField(null=True, blank=True)
    market_cap_change_24h_pct = money()
    source = source()

    def __str__(self) -> str:
        return f"global {self.t:%Y-%m-%d %H:%M}"


class TrendingSnapshot(models.Model):
    """One entry of a trending list; the entries of one collection share ``t``."""

    t = models.DateTimeField()
    rank = models.PositiveSmallIntegerField()
    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, related_name="+")
    score = money()
    source = source()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["t", "rank"], name="trending_unique")]
        ordering = ["-t", "rank"]

    def __str__(self) -> str:
        return f"trending #{self.rank} {self.t:%Y-%m-%d %H:%M}"

from django.db import models

from markets.models.fields import money, source


class PriceSnapshot(models.Model):
    """One raw price observation, kept for RAW_RETENTION_DAYS, then rolled up hourly."""

    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, related_name="+")
    vs = models.CharField(max_length=10, default="usd")
    t = models.DateTimeField(help_text="When the provider says the price was valid")
    price = money(null=False, blank=False)
    market_cap = money()
    volume_24h = money()
    change_24h_pct = money()
    source = source()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coin", "vs", "t"], name="price_snapshot_unique")]
        indexes = [models.Index(fields=["t"], name="price_snapshot_t")]

    def __str__(self) -> str:
        return f"{self.coin_id} {self.vs} {self.t:%Y-%m-%d %H:%M}"


class LatestQuote(models.Model):
    """The newest snapshot per coin and currency, so /api/prices and /api/market read one row per coin."""

    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, related_name="latest_quotes")
    vs = models.CharField(max_length=10, default="usd")
    t = models.DateTimeField()
    price = money(null=False, blank=False)
    market_cap = money()
    volume_24h = money()
    change_24h_pct = money()
    source = source()
    # A partial quote (an exchange: price and volume, no market cap) keeps the market cap
    # another provider sent; this says when and from whom that market cap came.
    market_as_of = models.DateTimeField(null=True, blank=True)
    market_source = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coin", "vs"], name="latest_quote_unique")]

    def __str__(self) -> str:
        return f"{self.coin_id} {self.vs} {self.t:%Y-%m-%d %H:%M}"


class HourlyPrice(models.Model):
    """An hourly roll-up of raw snapshots (or a backfilled hour), kept HISTORY_RETENTION_DAYS."""

    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, related_name="+")
    vs = models.CharField(max_length=10, default="usd")
    t = models.DateTimeField(help_text="Start of the hour")
    open = money(null=False, blank=False)
    high = money(null=False, blank=False)
    low = money(null=False, blank=False)
    close = money(null=False, blank=False)
    market_cap = money(help_text="Last market cap of the hour")
    volume_24h = money(help_text="Last 24 h volume of the hour")
    samples = models.PositiveIntegerField(default=1)
    source = source()

    class Meta:
        # No index on t alone: only the daily prune scans by time, and the index would
        # cost ~15% of the table's size (see BENCHMARKS.md).
        constraints = [models.UniqueConstraint(fields=["coin", "vs", "t"], name="hourly_price_unique")]

    def __str__(self) -> str:
        return f"{self.coin_id} {self.vs} {self.t:%Y-%m-%d %H:00}"


class RollupState(models.Model):
    """How far roll-ups have run: prune never deletes raw data at or after ``rolled_until``."""

    name = models.CharField(max_length=40, unique=True)
    rolled_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} rolled until {self.rolled_until}"

from django.db import models

from markets.models.fields import money, source

INTERVALS = ("1m", "5m", "15m", "30m", "1h", "4h", "1d")


class Candle(models.Model):
    """One OHLCV bar; ``t`` is its open time."""

    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, related_name="+")
    interval = models.CharField(max_length=4, choices=[(i, i) for i in INTERVALS])
    t = models.DateTimeField()
    open = money(null=False, blank=False)
    high = money(null=False, blank=False)
    low = money(null=False, blank=False)
    close = money(null=False, blank=False)
    volume = money()
    source = source()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coin", "interval", "t"], name="candle_unique")]
        indexes = [models.Index(fields=["interval", "t"], name="candle_interval_t")]

    def __str__(self) -> str:
        return f"{self.coin_id} {self.interval} {self.t:%Y-%m-%d %H:%M}"

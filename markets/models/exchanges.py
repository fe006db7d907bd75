"""Exchanges: CoinGecko's spot exchange directory, and the per-pair tickers cryptodt reads
from the exchanges it asks itself (Binance, Kraken, Coinbase)."""

from django.db import models

from markets.models.fields import money, source


class Exchange(models.Model):
    """A spot exchange as CoinGecko's /exchanges last listed it (collected daily); what
    /api/v3/exchanges, /exchanges/list, /exchanges/{id} and /search answer."""

    exchange_id = models.CharField(max_length=100, unique=True, help_text="CoinGecko's id: binance, gdax…")
    name = models.CharField(max_length=200)
    year_established = models.PositiveSmallIntegerField(null=True, blank=True)
    # null, not "", where CoinGecko sends null: its schema says null
    country = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    description = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    image = models.CharField(max_length=500, blank=True, default="")
    has_trading_incentive = models.BooleanField(null=True, blank=True)
    trust_score = models.PositiveSmallIntegerField(null=True, blank=True)
    trust_score_rank = models.PositiveIntegerField(null=True, blank=True)
    trade_volume_24h_btc = money()
    trade_volume_24h_btc_normalized = money()
    t = models.DateTimeField(help_text="When the directory was fetched")
    source = source()

    class Meta:
        ordering = ["trust_score_rank", "exchange_id"]

    def __str__(self) -> str:
        return self.exchange_id


class ExchangeTicker(models.Model):
    """The newest ticker of one coin's pair on one exchange cryptodt asks itself, as the
    exchange sent it: last price, 24 h volume in the base coin, best bid and ask. Written
    with every REST quote that carries the book's top (the price stream's do not)."""

    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, related_name="exchange_tickers")
    exchange = models.CharField(max_length=32, help_text="cryptodt's provider name: binance, kraken, coinbase")
    pair = models.CharField(max_length=40, help_text="The exchange's own symbol: BTCUSDT, XXBTZUSD, BTC-USD")
    base = models.CharField(max_length=40)
    target = models.CharField(max_length=20)
    last = money(null=False, blank=False)
    volume = money(help_text="24 h volume in the base coin")
    bid = money(null=False, blank=False)
    ask = money(null=False, blank=False)
    t = models.DateTimeField(help_text="The exchange's time for the ticker")
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coin", "exchange"], name="exchange_ticker_unique")]

    def __str__(self) -> str:
        return f"{self.exchange} {self.pair}"

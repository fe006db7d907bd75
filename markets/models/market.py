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
    # CoinGecko's /global counts and volume change; None when the answering provider lacks them.
    upcoming_icos = models.PositiveIntegerField(null=True, blank=True)
    ongoing_icos = models.PositiveIntegerField(null=True, blank=True)
    ended_icos = models.PositiveIntegerField(null=True, blank=True)
    markets = models.PositiveIntegerField(null=True, blank=True)
    volume_change_24h_pct = money()
    source = source()

    def __str__(self) -> str:
        return f"global {self.t:%Y-%m-%d %H:%M}"


class GlobalDefiSnapshot(models.Model):
    """CoinGecko's global DeFi figures as last collected; the decimal strings as it sent them."""

    t = models.DateTimeField(unique=True)
    defi_market_cap = models.CharField(max_length=100)
    eth_market_cap = models.CharField(max_length=100)
    defi_to_eth_ratio = models.CharField(max_length=100)
    trading_volume_24h = models.CharField(max_length=100)
    defi_dominance = models.CharField(max_length=100)
    top_coin_name = models.CharField(max_length=200)
    top_coin_defi_dominance = money()
    source = source()

    def __str__(self) -> str:
        return f"defi {self.t:%Y-%m-%d %H:%M}"


class TrendingSnapshot(models.Model):
    """One entry of a trending list; the entries of one collection share ``t``."""

    t = models.DateTimeField()
    rank = models.PositiveSmallIntegerField()
    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, related_name="+")
    # The coin's market-cap rank as the trending list gave it (the registry's may be older or absent).
    market_cap_rank = models.PositiveIntegerField(null=True, blank=True)
    score = money()
    # CoinGecko's own item fields as it sent them (its numeric id, slug, images, BTC figures).
    number = models.PositiveIntegerField(null=True, blank=True)
    slug = models.CharField(max_length=200, blank=True, default="")
    thumb = models.CharField(max_length=500, blank=True, default="")
    small = models.CharField(max_length=500, blank=True, default="")
    large = models.CharField(max_length=500, blank=True, default="")
    price_btc = money()
    price_usd = money()
    change_24h_pct_usd = money()
    market_cap_usd_text = models.CharField(max_length=80, blank=True, default="")
    market_cap_btc_text = models.CharField(max_length=80, blank=True, default="")
    total_volume_usd_text = models.CharField(max_length=80, blank=True, default="")
    total_volume_btc_text = models.CharField(max_length=80, blank=True, default="")
    sparkline = models.CharField(max_length=500, blank=True, default="")
    source = source()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["t", "rank"], name="trending_unique")]
        ordering = ["-t", "rank"]

    def __str__(self) -> str:
        return f"trending #{self.rank} {self.t:%Y-%m-%d %H:%M}"


class MarketStats(models.Model):
    """What a coins/markets row says beyond the price, per coin and currency (newest only).

    Stored as the provider sent it, None where it sent null: /api/v3/coins/markets answers
    these fields from here and never computes a stand-in.
    """

    coin = models.ForeignKey("markets.Coin", on_delete=models.CASCADE, related_name="market_stats")
    vs = models.CharField(max_length=10, default="usd")
    t = models.DateTimeField()
    fully_diluted_valuation = money()
    high_24h = money()
    low_24h = money()
    price_change_24h = money()
    market_cap_change_24h = money()
    market_cap_change_24h_pct = money()
    ath = money()
    ath_change_pct = money()
    ath_date = models.DateTimeField(null=True, blank=True)
    atl = money()
    atl_change_pct = money()
    atl_date = models.DateTimeField(null=True, blank=True)
    source = source()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coin", "vs"], name="market_stats_unique")]

    def __str__(self) -> str:
        return f"{self.coin_id} {self.vs} stats {self.t:%Y-%m-%d %H:%M}"

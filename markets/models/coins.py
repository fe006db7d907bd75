from collections.abc import Iterable
from decimal import Decimal

from django.db import models

from markets.models.fields import money


class Coin(models.Model):
    """The coin registry. The CoinGecko id is a coin's identity; the symbol is not unique."""

    coin_id = models.CharField(max_length=120, unique=True)
    symbol = models.CharField(max_length=40, db_index=True, help_text="Upper-case ticker, e.g. BTC")
    name = models.CharField(max_length=200)
    coincap_id = models.CharField(max_length=120, blank=True, default="")
    binance_pair = models.CharField(max_length=40, blank=True, default="")
    kraken_pair = models.CharField(max_length=40, blank=True, default="")
    coinbase_pair = models.CharField(max_length=40, blank=True, default="")
    image = models.CharField(max_length=500, blank=True, default="")
    market_cap_rank = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    market_cap = money(help_text="Last known USD market cap; decides which coin a shared symbol means")
    # Supplies as the market listing last gave them (coin units, the same in every currency).
    circulating_supply = money()
    total_supply = money()
    max_supply = money()
    # Asset platform -> contract address from the coin list (CoinGecko include_platform=true);
    # null until a list with platforms was stored.
    platforms = models.JSONField(null=True, blank=True)
    tracked = models.BooleanField(default=False, db_index=True, help_text="Collected every cycle")
    # The span a backfill has already asked providers for: hours in it that are still
    # missing are ones the provider has no data for, so they are not asked for again.
    history_covered_from = models.DateTimeField(null=True, blank=True)
    history_covered_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["market_cap_rank", "coin_id"]

    def __str__(self) -> str:
        return f"{self.symbol} ({self.coin_id})"


class CoinProfile(models.Model):
    """CoinGecko's description of a coin (coins/{id} without market data), fetched once on
    the first /api/v3/coins/{id} request and served from here after."""

    coin = models.OneToOneField(Coin, on_delete=models.CASCADE, related_name="profile")
    fields = models.JSONField(default=dict, help_text="CoinGecko's own keys: web_slug, links, description…")
    fetched_at = models.DateTimeField()
    source = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"profile of {self.coin_id}"


def largest_coin_per_symbol(coins: Iterable[Coin]) -> dict[str, Coin]:
    """Upper-case symbol → the coin with the largest market cap (then best rank) using it."""
    chosen: dict[str, Coin] = {}
    for coin in coins:
        current = chosen.get(coin.symbol)
        if current is None or _size(coin) > _size(current):
            chosen[coin.symbol] = coin
    return chosen


def _size(coin: Coin) -> tuple:
    return (coin.market_cap or Decimal(-1), -(coin.market_cap_rank or 10**9), coin.coin_id)

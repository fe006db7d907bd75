"""What the collector does not cover, fetched once before a read.

The read endpoints call these on a cache miss, before the selectors read: a coin,
currency or interval outside the schedule is asked of the providers once per cooldown
(a burst of requests makes one upstream call), with ON_DEMAND_TIMEOUT_S, and the answer
is stored like any collected data. Nothing here raises: a failed fetch leaves the read
to say what is missing.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings

from cryptodt.data_cache import first_attempt
from markets import selectors
from markets.models import Coin, CoinProfile, Protocol
from markets.services import collect


def fill_quotes(*, coins: list[Coin], vs: str) -> None:
    times = selectors.quote_times(coins=coins, vs=vs)
    for coin in coins:
        t = times.get(coin.pk)
        if selectors.collected(coin, vs) or (t and not selectors.is_stale(t)):
            continue
        if first_attempt(f"price:{coin.pk}:{vs}"):
            collect.fetch_on_demand_quote(coin=coin, vs=vs)


def fill_history(*, coin: Coin, days: int, vs: str, now: datetime | None = None) -> None:
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    if selectors.collected(coin, vs) or selectors.has_history(coin=coin, vs=vs, since=since):
        return
    if first_attempt(f"history:{coin.pk}:{vs}"):
        collect.fetch_on_demand_history(coin=coin, days=days, vs=vs)


def fill_candles(*, coin: Coin, interval: str, start: datetime | None, end: datetime | None) -> None:
    if selectors.collects_candles(coin, interval):
        return
    newest = selectors.newest_candle_time(coin=coin, interval=interval, start=start, end=end)
    fresh = newest is not None and (
        end is not None or datetime.now(UTC) - newest <= 2 * selectors.candle_step(interval)
    )
    if not fresh and first_attempt(f"candles:{coin.pk}:{interval}:{start}:{end}"):
        collect.fetch_on_demand_candles(coin=coin, interval=interval, start=start, end=end)


def fill_profile(*, coin: Coin) -> None:
    """CoinGecko's description of a coin (/api/v3/coins/{id}): only CoinGecko has it, so the
    first request fetches it once, within CoinGecko's budget; it is kept after that."""
    if not CoinProfile.objects.filter(coin=coin).exists() and first_attempt(f"profile:{coin.pk}", cooldown_s=300):
        collect.fetch_on_demand_profile(coin=coin)


def fill_protocol_tvl(*, slug: str, days: int, now: datetime | None = None) -> None:
    """Collection stores one point a day; the first request for a longer range fetches the history once."""
    protocol = Protocol.objects.filter(slug=slug).first()
    if protocol is None:
        return
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    if selectors.tvl_points_since(protocol=protocol, since=since) < min(days, 7) and first_attempt(
        f"tvl:{protocol.pk}"
    ):
        collect.collect_protocol_tvl(protocol=protocol, timeout=settings.ON_DEMAND_TIMEOUT_S)

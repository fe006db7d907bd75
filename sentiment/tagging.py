"""Which coins a news article is about: its categories and the tickers and names in its title.

Only coins the service follows are candidates (tracked, or ranked within TRACKED_COINS by
market cap): a registry of 15,000 coins has a symbol for most short English words. A
symbol counts in upper case only ("ETH", "$SOL"). A name counts in any case ("bitcoin":
CoinDesk writes coin names in lower case), unless it is also an English word, which then
counts capitalised only ("Optimism", not "optimism"); a few names are skipped outright.
"""

import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import Q

from markets.models import Coin
from markets.models.coins import largest_coin_per_symbol

# Upper-case words in headlines that are market jargon first and a coin's ticker second.
NOT_A_TICKER = frozenset(
    """A I AI ALL AND API APY ARE AT ATH BEST BY CEO CEX CPI DAO DEFI DEX ETF ETFS EU FED FOMC FOR
    FREE GAS GDP GOOD HOT IN IPO IT KEY KYC AML MAX ME MOVE NEW NFT NOW OF OK ON ONE OPEN OTC P2P
    PEOPLE REAL SAFE SEC THE TO TOP TRUE TVL UK UP US USA USD WIN""".split()
)
# Coin names that are ordinary words even capitalised at the start of a headline.
NOT_A_NAME = frozenset("near maker graph render stacks flow gas core sonic".split())
# Coin names that are English words: matched capitalised only.
ENGLISH_WORDS = frozenset(
    "optimism stellar immutable quant mantra jupiter polygon cosmos celestia harmony ethena pendle".split()
)
# What headlines call a coin other than its registry name.
ALIASES = {"Ether": "ethereum", "XBT": "bitcoin"}
_EDGE_BEFORE = r"(?<![A-Za-z0-9])"
_EDGE_AFTER = r"(?![A-Za-z0-9])"


class CoinTagger:
    def __init__(self, coins: Iterable[Coin]):
        coins = list(coins)
        owners = largest_coin_per_symbol(coins)
        self.by_symbol = {s: c for s, c in owners.items() if len(s) >= 2 and s not in NOT_A_TICKER}
        by_id = {c.coin_id: c for c in coins}
        names: dict[str, tuple[str, Coin]] = {}  # lower-case name -> (as written, coin)
        for coin in sorted(coins, key=lambda c: c.market_cap_rank or 10**9):
            if len(coin.name) >= 4 and coin.name.lower() not in NOT_A_NAME:
                names.setdefault(coin.name.lower(), (coin.name, coin))
        for alias, coin_id in ALIASES.items():
            if coin_id in by_id:
                names.setdefault(alias.lower(), (alias, by_id[coin_id]))
        self.by_name = {lower: coin for lower, (_, coin) in names.items()}
        self._symbols = _alternation(self.by_symbol, prefix=r"\$?")
        self._names = _alternation([n for n in names if n not in ENGLISH_WORDS], flags=re.IGNORECASE)
        self._proper_names = _alternation([written for lower, (written, _) in names.items() if lower in ENGLISH_WORDS])

    @classmethod
    def for_followed_coins(cls) -> "CoinTagger":
        return cls(Coin.objects.filter(Q(tracked=True) | Q(market_cap_rank__lte=settings.TRACKED_COINS)))

    def coins_in(self, *, title: str, categories: Sequence[str] = ()) -> list[Coin]:
        found: dict[int, Coin] = {}
        for category in categories:
            coin = self.by_symbol.get(category.strip().upper()) or self.by_name.get(category.strip().lower())
            if coin:
                found[coin.pk] = coin
        if self._symbols:
            for match in self._symbols.finditer(title):
                coin = self.by_symbol[match.group(1)]
                found[coin.pk] = coin
        for pattern in (self._names, self._proper_names):
            for match in pattern.finditer(title) if pattern else ():
                coin = self.by_name[match.group(1).lower()]
                found[coin.pk] = coin
        return list(found.values())


def _alternation(words: Iterable[str], *, prefix: str = "", flags: int = 0) -> re.Pattern | None:
    ordered = sorted(words, key=len, reverse=True)  # the longest name wins ("Bitcoin Cash" over "Bitcoin")
    if not ordered:
        return None
    return re.compile(f"{_EDGE_BEFORE}{prefix}({'|'.join(map(re.escape, ordered))}){_EDGE_AFTER}", flags)

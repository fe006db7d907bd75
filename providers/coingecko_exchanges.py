"""CoinGecko's exchange directory: /exchanges (https://docs.coingecko.com/v3.0.1/reference/exchanges),
every spot exchange with active volume, paged (per_page up to 250), ranked by trust score.

One call per page, a minute apart (PAGE_PAUSE_S: the pages would otherwise land in the same
minute as a cycle's other CoinGecko calls; the budget plan counts one a minute), so the
directory is its own daily task, never part of a collection cycle. A page shorter than
PAGE_SIZE is the last. Every row is checked: one
impossible row (a negative volume, a trust score outside 1..10, a twice-sent id) rejects
the whole directory, so a broken answer never replaces the stored one."""

import time

from providers.payload import Checker
from providers.records import Exchange

PAGE_SIZE = 250  # CoinGecko's largest per_page for /exchanges
EXPECTED_PAGES = 4  # what the budget plan counts a run as (~1,000 spot exchanges listed)
PAGE_PAUSE_S = 60.0
MAX_PAGES = 12  # ~1,000 spot exchanges today; a directory past 3,000 is a paging loop
MAX_TEXT = 5000
MAX_URL = 500


def fetch_exchanges(provider, *, timeout: float | None) -> list[Exchange]:
    """Every page of /exchanges through ``provider`` (CoinGecko's client: its host, key and budget)."""
    check = Checker("coingecko", "exchanges")
    rows: list[Exchange] = []
    for page in range(1, MAX_PAGES + 1):
        if page > 1:
            time.sleep(PAGE_PAUSE_S)
        params = {"per_page": PAGE_SIZE, "page": page}
        payload = provider.get_json("exchanges", "/exchanges", params=params, timeout=timeout)
        got = provider.parse("exchanges", parse_exchanges, payload, allow_empty=page > 1)
        rows += got
        if len(got) < PAGE_SIZE:
            break
    else:
        raise check.fail(f"more than {MAX_PAGES} pages of {PAGE_SIZE} exchanges")
    if len({e.exchange_id for e in rows}) != len(rows):
        raise check.fail("an exchange id appears twice")
    return rows


def parse_exchanges(payload, *, allow_empty: bool = False) -> list[Exchange]:
    check = Checker("coingecko", "exchanges")
    result = []
    for item in check.list(payload, "body", allow_empty=allow_empty):
        item = check.dict(item, "exchange")
        exchange_id = check.text(item, "id", "exchange")
        if len(exchange_id) > 100:
            raise check.fail("exchange id too long")
        what = f"exchange {exchange_id[:40]}"
        trust = check.integer(item.get("trust_score"), f"{what}.trust_score", optional=True)
        if trust is not None and not 0 <= trust <= 10:
            raise check.fail(f"{what}.trust_score {trust} is outside 0..10")
        rank = check.integer(item.get("trust_score_rank"), f"{what}.trust_score_rank", optional=True)
        if rank is not None and rank < 1:
            raise check.fail(f"{what}.trust_score_rank {rank} is not a rank")
        year = check.integer(item.get("year_established"), f"{what}.year_established", optional=True)
        if year is not None and not 1990 <= year <= 2100:
            raise check.fail(f"{what}.year_established {year} is not a year")
        incentive = item.get("has_trading_incentive")
        if not isinstance(incentive, bool):  # CoinGecko's schema: always a boolean
            raise check.fail(f"{what}.has_trading_incentive is not a boolean")
        result.append(
            Exchange(
                exchange_id=exchange_id,
                name=check.text(item, "name", what)[:200],
                year_established=year,
                country=_text(check, item.get("country"), f"{what}.country", 100, optional=True),
                description=_text(check, item.get("description"), f"{what}.description", MAX_TEXT),
                url=_text(check, item.get("url"), f"{what}.url", MAX_URL),
                image=_text(check, item.get("image"), f"{what}.image", MAX_URL),
                has_trading_incentive=incentive,
                trust_score=trust,
                trust_score_rank=rank,
                trade_volume_24h_btc=check.non_negative(
                    item.get("trade_volume_24h_btc"), f"{what}.trade_volume_24h_btc", optional=False
                ),
                trade_volume_24h_btc_normalized=check.non_negative(
                    item.get("trade_volume_24h_btc_normalized"), f"{what}.normalized volume"
                ),
            )
        )
    return result


def _text(check: Checker, value, what: str, limit: int, *, optional: bool = False) -> str | None:
    """A short text; null stays None where CoinGecko's schema allows null, else ""."""
    if value is None:
        return None if optional else ""
    if not isinstance(value, str) or len(value) > limit:
        raise check.fail(f"{what} is not a text of at most {limit} characters")
    return value

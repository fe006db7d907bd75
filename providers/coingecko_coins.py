"""CoinGecko's coin directory into records: coins/list with platforms
(https://docs.coingecko.com/v3.0.1/reference/coins-list) and one coin's description,
coins/{id} (https://docs.coingecko.com/v3.0.1/reference/coins-id)."""

from decimal import Decimal

from providers.payload import Checker
from providers.records import CoinListing, CoinProfile


def parse_coin_list(payload) -> list[CoinListing]:
    check = Checker("coingecko", "coins/list")
    listings = []
    for item in check.list(payload, "body"):
        item = check.dict(item, "entry")
        coin_id = check.text(item, "id", "entry")
        listings.append(
            CoinListing(
                coin_id=coin_id,
                symbol=check.text(item, "symbol", coin_id),
                name=str(item.get("name") or ""),
                platforms=_platforms(check, item.get("platforms"), coin_id),
            )
        )
    return listings


# coins/{id} keys kept from CoinGecko's answer, with the JSON types its spec gives them.
PROFILE_FIELDS = {
    "web_slug": (str,),
    "asset_platform_id": (str, type(None)),
    "platforms": (dict,),
    "detail_platforms": (dict,),
    "block_time_in_minutes": (int, float, Decimal),
    "hashing_algorithm": (str, type(None)),
    "categories": (list,),
    "preview_listing": (bool,),
    "public_notice": (str, type(None)),
    "additional_notices": (list,),
    "has_supply_breakdown": (bool,),
    "description": (dict,),
    "links": (dict,),
    "image": (dict,),
    "country_origin": (str,),
    "genesis_date": (str, type(None)),
    "sentiment_votes_up_percentage": (int, float, Decimal, type(None)),
    "sentiment_votes_down_percentage": (int, float, Decimal, type(None)),
    "watchlist_portfolio_users": (int, float, Decimal),
    "status_updates": (list,),
}


def parse_coin_profile(payload) -> CoinProfile:
    check = Checker("coingecko", "coins/{id}")
    body = check.dict(payload, "body")
    coin_id = check.text(body, "id", "body")
    fields = {}
    for key, types in PROFILE_FIELDS.items():
        if key not in body:
            continue
        value = body[key]
        if isinstance(value, bool) and bool not in types:
            raise check.fail(f"{coin_id}.{key} is a boolean")
        if not isinstance(value, types):
            raise check.fail(f"{coin_id}.{key} is {type(value).__name__}")
        fields[key] = _plain_json(value)
    if any(not isinstance(c, str) for c in fields.get("categories", [])):
        raise check.fail(f"{coin_id}.categories holds a non-string")
    return CoinProfile(
        coin_id=coin_id,
        symbol=check.text(body, "symbol", coin_id),
        name=check.text(body, "name", coin_id),
        fields=fields,
    )


def _plain_json(value):
    """Descriptive numbers (block time, vote shares) as JSON numbers a JSON column can hold."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_json(v) for v in value]
    return value


def _platforms(check: Checker, value, coin_id: str) -> dict[str, str | None] | None:
    if value is None:
        return None
    platforms = check.dict(value, f"{coin_id}.platforms")
    for platform, address in platforms.items():
        if not isinstance(platform, str) or not (address is None or isinstance(address, str)):
            raise check.fail(f"{coin_id}.platforms holds a non-text entry")
        if len(platform) > 100 or (address and len(address) > 200):
            raise check.fail(f"{coin_id}.platforms entry too long")
    return dict(platforms)

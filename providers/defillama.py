"""DeFiLlama (https://api-docs.defillama.com): protocols, chains and a protocol's TVL history.

``tvl`` of a protocol may be null (DeFiLlama has no figure yet): kept as None. ``symbol``
"-" means the protocol has no token.
"""

from providers.base import Provider
from providers.payload import Checker, now
from providers.records import ChainTVL, ProtocolTVL, TVLPoint


class DefiLlama(Provider):
    name = "defillama"
    base_url_setting = "DEFILLAMA_BASE_URL"
    capabilities = ("defi",)

    def protocols(self, *, timeout: float | None) -> list[ProtocolTVL]:
        payload = self.get_json("protocols", "/protocols", timeout=timeout)
        return self.parse("protocols", parse_protocols, payload)

    def chains(self, *, timeout: float | None) -> list[ChainTVL]:
        payload = self.get_json("v2/chains", "/v2/chains", timeout=timeout)
        return self.parse("v2/chains", parse_chains, payload)

    def protocol_tvl(self, slug: str, *, timeout: float | None) -> list[TVLPoint]:
        payload = self.get_json("protocol", f"/protocol/{slug}", timeout=timeout)
        return self.parse("protocol", parse_protocol_tvl, payload)


def parse_protocols(payload) -> list[ProtocolTVL]:
    check = Checker("defillama", "protocols")
    fetched_at = now()
    protocols = []
    for item in check.list(payload, "body"):
        item = check.dict(item, "protocol")
        slug = check.text(item, "slug", "protocol")
        chains = check.list(item.get("chains") or [], f"{slug}.chains", allow_empty=True)
        symbol = item.get("symbol")
        protocols.append(
            ProtocolTVL(
                slug=slug,
                name=check.text(item, "name", slug),
                tvl=check.non_negative(item.get("tvl"), f"{slug}.tvl"),
                as_of=fetched_at,
                change_1d_pct=check.decimal(item.get("change_1d"), f"{slug}.change_1d", optional=True),
                category=item.get("category") or None,
                chains=tuple(str(chain) for chain in chains),
                symbol=symbol if symbol and symbol != "-" else None,
                gecko_id=item.get("gecko_id") or None,
            )
        )
    return protocols


def parse_chains(payload) -> list[ChainTVL]:
    check = Checker("defillama", "v2/chains")
    fetched_at = now()
    chains = []
    for item in check.list(payload, "body"):
        item = check.dict(item, "chain")
        name = check.text(item, "name", "chain")
        chains.append(
            ChainTVL(
                name=name,
                tvl=check.non_negative(check.field(item, "tvl", name), f"{name}.tvl", optional=False),
                as_of=fetched_at,
                token_symbol=item.get("tokenSymbol") or None,
                gecko_id=item.get("gecko_id") or None,
            )
        )
    return chains


def parse_protocol_tvl(payload) -> list[TVLPoint]:
    check = Checker("defillama", "protocol")
    body = check.dict(payload, "body")
    points = []
    for item in check.list(check.field(body, "tvl", "body"), "tvl"):
        item = check.dict(item, "tvl point")
        points.append(
            TVLPoint(
                t=check.unix(check.field(item, "date", "tvl point"), "date"),
                tvl=check.non_negative(check.field(item, "totalLiquidityUSD", "tvl point"), "totalLiquidityUSD"),
            )
        )
    return points

"""Providers and collection: each provider's host and key, failover order and strategy per
capability, retries, circuit breakers, free-tier budgets, and what is collected how often.

The environment gives the defaults; operators override the provider layer in the admin
(markets.models.ProviderSetting / CapabilitySetting) without a restart.
"""

from django.core.exceptions import ImproperlyConfigured

from cryptodt.env import envfloat, envint, envlist, envstr

# Keyless and demo keys use api.coingecko.com (x-cg-demo-api-key); a pro key uses
# pro-api.coingecko.com (x-cg-pro-api-key). COINGECKO_BASE_URL, when set, wins over the plan's host.
COINGECKO_API_KEY = envstr("COINGECKO_API_KEY")
COINGECKO_API_PLAN = envstr("COINGECKO_API_PLAN", "demo").lower()
if COINGECKO_API_PLAN not in {"demo", "pro"}:
    raise ImproperlyConfigured("COINGECKO_API_PLAN must be demo or pro")
COINGECKO_BASE_URL = envstr(
    "COINGECKO_BASE_URL",
    "https://pro-api.coingecko.com/api/v3"
    if COINGECKO_API_KEY and COINGECKO_API_PLAN == "pro"
    else "https://api.coingecko.com/api/v3",
)
# Binance's market-data-only hosts answer where api.binance.com says 451 (US, most clouds).
BINANCE_BASE_URL = envstr("BINANCE_BASE_URL", "https://data-api.binance.vision")
BINANCE_WS_URL = envstr("BINANCE_WS_URL", "wss://data-stream.binance.vision")
# CoinCap v3 needs a key (v2 was retired 2025-03-31); without one CoinCap is skipped.
COINCAP_BASE_URL = envstr("COINCAP_BASE_URL", "https://rest.coincap.io/v3")
COINCAP_API_KEY = envstr("COINCAP_API_KEY")
KRAKEN_BASE_URL = envstr("KRAKEN_BASE_URL", "https://api.kraken.com")
COINBASE_BASE_URL = envstr("COINBASE_BASE_URL", "https://api.exchange.coinbase.com")
COINPAPRIKA_BASE_URL = envstr("COINPAPRIKA_BASE_URL", "https://api.coinpaprika.com/v1")
DEFILLAMA_BASE_URL = envstr("DEFILLAMA_BASE_URL", "https://api.llama.fi")
DEFILLAMA_PRICES_BASE_URL = envstr("DEFILLAMA_PRICES_BASE_URL", "https://coins.llama.fi")
FNG_BASE_URL = envstr("FNG_BASE_URL", "https://api.alternative.me")
# CryptoCompare's keyless tier ended 2026-05-21; its news lives on in the CoinDesk Data API (key needed).
COINDESK_BASE_URL = envstr("COINDESK_BASE_URL", "https://data-api.coindesk.com")
COINDESK_API_KEY = envstr("COINDESK_API_KEY")
NEWS_RSS_FEEDS = envlist(
    "NEWS_RSS_FEEDS",
    ["https://www.coindesk.com/arc/outboundfeeds/rss/", "https://cointelegraph.com/rss"],
)
PROVIDER_TIMEOUT_S = envfloat("PROVIDER_TIMEOUT_S", 5.0, minimum=0.1)
COLLECT_INTERVAL_S = envint("COLLECT_INTERVAL_S", 300, minimum=30)
SENTIMENT_INTERVAL_S = envint("SENTIMENT_INTERVAL_S", 3600, minimum=60)
TRACKED_COINS = envint("TRACKED_COINS", 250, minimum=1)
# Candles are collected for the most-watched coins only (the top OHLCV_COINS tracked).
OHLCV_COINS = envint("OHLCV_COINS", 20, minimum=0)
OHLCV_INTERVALS = envlist("OHLCV_INTERVALS", ["30m", "1h", "1d"])
# How long a read request may wait for a coin nobody collects (fetched once, then stored).
ON_DEMAND_TIMEOUT_S = envfloat("ON_DEMAND_TIMEOUT_S", 2.0, minimum=0.1)
# An exchange quote further than this share from the coin's last stored price is rejected (0.5 = 50%).
EXCHANGE_MAX_DEVIATION = envfloat("EXCHANGE_MAX_DEVIATION", 0.5, minimum=0.01)

# --- Failover, retries, circuit breakers, budgets ---------------------------------------
PROVIDER_NAMES = (
    "coingecko",
    "coincap",
    "coinpaprika",
    "defillama_prices",
    "binance",
    "kraken",
    "coinbase",
    "defillama",
    "alternative_me",
    "coindesk",
    "rss",
)
PROVIDER_DEFAULT_ORDER = {
    "prices": ["binance", "coingecko", "defillama_prices", "coinpaprika", "coincap", "kraken", "coinbase"],
    "markets": ["coingecko", "coinpaprika", "coincap"],
    "coin_list": ["coingecko", "coinpaprika"],
    "candles": ["binance", "kraken", "coinbase", "coingecko"],
    "price_history": ["coingecko", "binance", "kraken", "coinbase"],
    "trending": ["coingecko"],
    "global": ["coingecko", "coinpaprika"],
    "defi": ["defillama"],
    "fear_greed": ["alternative_me"],
    # News is gathered from every provider in the list, not failed over.
    "news": ["coindesk", "rss"],
    "exchange_pairs": ["binance", "kraken", "coinbase"],
}
PROVIDER_ORDER = {
    capability: envlist(f"PROVIDER_ORDER_{capability.upper()}", order)
    for capability, order in PROVIDER_DEFAULT_ORDER.items()
}
PROVIDER_STRATEGY = {
    capability: envstr(f"PROVIDER_STRATEGY_{capability.upper()}", "priority") for capability in PROVIDER_DEFAULT_ORDER
}
for _capability, _strategy in PROVIDER_STRATEGY.items():
    if _strategy not in {"priority", "round_robin", "fastest", "least_used"}:
        raise ImproperlyConfigured(
            f"PROVIDER_STRATEGY_{_capability.upper()} must be priority, round_robin, fastest or least_used"
        )
for _capability, _order in PROVIDER_ORDER.items():
    if set(_order) - set(PROVIDER_NAMES):
        raise ImproperlyConfigured(f"PROVIDER_ORDER_{_capability.upper()} names unknown providers: {_order}")
PROVIDERS_DISABLED = envlist("PROVIDERS_DISABLED", [])
PROVIDER_RETRIES = envint("PROVIDER_RETRIES", 1, minimum=0)
PROVIDER_BACKOFF_S = envfloat("PROVIDER_BACKOFF_S", 0.2, minimum=0.0)
PROVIDER_MAX_RETRY_AFTER_S = envfloat("PROVIDER_MAX_RETRY_AFTER_S", 2.0, minimum=0.0)
PROVIDER_BREAKER_FAILURES = envint("PROVIDER_BREAKER_FAILURES", 3, minimum=1)
PROVIDER_BREAKER_COOLDOWN_S = envfloat("PROVIDER_BREAKER_COOLDOWN_S", 60.0, minimum=0.0)
# A provider that answers 451/403 ("not from this address") is left alone this long.
PROVIDER_BLOCKED_BACKOFF_S = envfloat("PROVIDER_BLOCKED_BACKOFF_S", 3600.0, minimum=1.0)
# Free tiers as the providers publish them (None: no monthly cap). Binance counts request
# weight, the others count calls.
PROVIDER_DEFAULT_BUDGETS = {
    "coingecko": (30, 10_000),
    "coincap": (200, None),
    "binance": (6_000, None),
    "kraken": (60, None),
    "defillama": (300, None),
    "alternative_me": (60, None),
    "coinpaprika": (60, 20_000),  # free plan: 20,000 calls a month
    "defillama_prices": (300, None),
    "coinbase": (600, None),  # 10 requests a second per IP on public endpoints
    "coindesk": (50, 100_000),
    "rss": (60, None),  # a call per feed
}
PROVIDER_BUDGETS = {
    name: (
        envint(f"{name.upper()}_BUDGET_PER_MINUTE", per_minute, minimum=1),
        envint(f"{name.upper()}_BUDGET_PER_MONTH", per_month or 0, minimum=0) or None,  # 0: no cap
    )
    for name, (per_minute, per_month) in PROVIDER_DEFAULT_BUDGETS.items()
}
# The share of each monthly budget the collection schedule may plan for; the rest is
# headroom for on-demand fetches of untracked coins and backfills.
PROVIDER_PLAN_SHARE = envfloat("PROVIDER_PLAN_SHARE", 0.8, minimum=0.1)

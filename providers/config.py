"""The provider layer's one window on operator settings (the admin's ProviderSetting and
CapabilitySetting rows over the environment's defaults).

Read through the "default" cache for a few seconds, so an admin change takes effect
within CONFIG_TTL_S everywhere without a restart and without a query per request.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError

CONFIG_TTL_S = 5
_KEY = "providers:config"


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    enabled: bool
    priority: int
    budget_per_minute: int
    budget_per_month: int | None
    api_key: str


@dataclass(frozen=True)
class CapabilityConfig:
    capability: str
    strategy: str
    order: tuple[str, ...]


def _load() -> dict:
    from providers.models import CapabilitySetting, ProviderSetting

    try:
        providers = {row.name: row for row in ProviderSetting.objects.all()}
        capabilities = {row.capability: row for row in CapabilitySetting.objects.all()}
    except DatabaseError:
        # Before migrations (or with the database down) the environment still runs the show.
        providers, capabilities = {}, {}
    result: dict = {"providers": {}, "capabilities": {}}
    for name in settings.PROVIDER_NAMES:
        row = providers.get(name)
        per_minute, per_month = settings.PROVIDER_BUDGETS[name]
        result["providers"][name] = ProviderConfig(
            name=name,
            enabled=row.enabled if row else name not in settings.PROVIDERS_DISABLED,
            priority=row.priority if row else 100,
            budget_per_minute=(row.budget_per_minute if row and row.budget_per_minute else per_minute),
            budget_per_month=(row.budget_per_month if row and row.budget_per_month else per_month),
            api_key=(row.api_key if row and row.api_key else ""),
        )
    for capability, order in settings.PROVIDER_ORDER.items():
        row = capabilities.get(capability)
        names = row.order_names() if row and row.order_names() else order
        result["capabilities"][capability] = CapabilityConfig(
            capability=capability,
            strategy=row.strategy if row else settings.PROVIDER_STRATEGY[capability],
            order=tuple(name for name in names if name in settings.PROVIDER_NAMES),
        )
    return result


def _snapshot() -> dict:
    cache = caches["default"]
    snapshot = cache.get(_KEY)
    if snapshot is None:
        snapshot = _load()
        cache.set(_KEY, snapshot, CONFIG_TTL_S)
    return snapshot


def provider(name: str) -> ProviderConfig:
    return _snapshot()["providers"][name]


def capability(name: str) -> CapabilityConfig:
    return _snapshot()["capabilities"][name]


def forget() -> None:
    """Drop the cached snapshot (the admin calls this after a save, tests after a change)."""
    caches["default"].delete(_KEY)

"""Markets models, one module per concept; everything is re-exported here."""

from markets.models.providers import CapabilitySetting, ProviderSetting

__all__ = ["CapabilitySetting", "ProviderSetting"]

from django.contrib import admin  # noqa: F401

# --- providers (owned by the provider layer) ---
import markets.admin_providers  # noqa: E402, F401  (registers ProviderSetting, CapabilitySetting)

# --- end providers ---

"""Admin for operator control of the provider layer (see docs/providers.md)."""

from django import forms
from django.contrib import admin

from providers import config
from providers.models import CapabilitySetting, ProviderSetting


class ProviderSettingForm(forms.ModelForm):
    """The API key is write-only: never rendered back, kept when left blank, dropped on request."""

    clear_api_key = forms.BooleanField(required=False, help_text="Forget the stored key (use the environment's).")

    class Meta:
        model = ProviderSetting
        fields = ["name", "enabled", "priority", "budget_per_minute", "budget_per_month", "api_key"]
        widgets = {"api_key": forms.PasswordInput(render_value=False)}

    def clean_api_key(self) -> str:
        key = self.cleaned_data.get("api_key", "")
        if not key and self.instance.pk and not self.data.get("clear_api_key"):
            return self.instance.api_key
        return key


@admin.register(ProviderSetting)
class ProviderSettingAdmin(admin.ModelAdmin):
    form = ProviderSettingForm
    list_display = ("name", "enabled", "priority", "budget_per_minute", "budget_per_month", "updated_at")
    list_editable = ("enabled", "priority")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        config.forget()


@admin.register(CapabilitySetting)
class CapabilitySettingAdmin(admin.ModelAdmin):
    list_display = ("capability", "strategy", "order", "updated_at")
    list_editable = ("strategy", "order")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        config.forget()

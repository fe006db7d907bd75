"""Operators' screens: users' tiers, API keys (create, revoke, inspect), the audit log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils import timezone

from accounts import services
from accounts.models import ApiKey, AuditEntry, Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    max_num = 1
    verbose_name = "API tier"
    verbose_name_plural = "API tier (a user without one is on Free)"


class UserWithTierAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, ProfileInline]
    list_display = [*UserAdmin.list_display, "tier"]
    list_select_related = ["profile"]
    list_filter = [*UserAdmin.list_filter, "profile__tier"]

    @admin.display(description="tier", ordering="profile__tier")
    def tier(self, user) -> str:
        profile = getattr(user, "profile", None)
        return profile.tier if profile else "free"


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, UserWithTierAdmin)


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["user", "name", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and self.instance.pk is None and expires_at <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return expires_at


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["prefix", "name", "user", "created", "expires_at", "revoked_at", "last_used"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "created"]
    search_fields = ["prefix", "name", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created", "last_used", "revoked_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return ["user", "name", "prefix", "created", "expires_at", "revoked_at", "last_used"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else [*self.readonly_fields, "user"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued = services.api_key_issue(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        # The admin goes on to use ``obj`` (log entry, redirect); make it the saved row.
        obj.pk, obj.prefix, obj.key_hash, obj.created = (
            issued.api_key.pk,
            issued.api_key.prefix,
            issued.api_key.key_hash,
            issued.api_key.created,
        )
        messages.warning(
            request,
            f"The new key is {issued.key} — copy it now: it is not stored and will not be shown again.",
        )

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        count = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            services.api_key_revoke(user=None, prefix=api_key.prefix)
            count += 1
        self.message_user(request, f"Revoked {count} key(s).")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Keys are revoked, not deleted, so the audit log's prefixes keep their meaning.
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created", "username", "key_prefix", "method", "endpoint", "status", "latency_ms"]
    list_filter = ["method", "status", "created"]
    search_fields = ["username", "key_prefix", "endpoint"]
    date_hierarchy = "created"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

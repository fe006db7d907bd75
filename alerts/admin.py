from django.contrib import admin

from alerts.models import AlertRule, Delivery, Firing


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "coin", "condition", "window", "threshold", "repeat", "active", "fired_count")
    list_filter = ("condition", "active", "repeat")
    search_fields = ("user__username", "coin__coin_id", "coin__symbol", "webhook_url")
    raw_id_fields = ("user", "coin")
    readonly_fields = ("last_met", "last_fired_at", "fired_count", "created", "updated")
    exclude = ("webhook_secret",)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ("channel", "state", "attempts", "last_status", "last_error", "response_excerpt", "delivered_at")
    fields = readonly_fields


@admin.register(Firing)
class FiringAdmin(admin.ModelAdmin):
    list_display = ("id", "rule", "value", "observed_at", "fired_at")
    raw_id_fields = ("rule",)
    readonly_fields = ("id", "rule", "value", "observed_at", "fired_at", "payload")
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "firing", "channel", "state", "attempts", "last_status", "next_attempt_at", "delivered_at")
    # The dead letters are what an operator comes here for.
    list_filter = ("state", "channel")
    raw_id_fields = ("firing",)
    readonly_fields = ("firing", "channel", "attempts", "last_status", "last_error", "response_excerpt", "delivered_at")

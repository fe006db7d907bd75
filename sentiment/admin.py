from django.contrib import admin

from sentiment.models import FearGreedPoint


@admin.register(FearGreedPoint)
class FearGreedPointAdmin(admin.ModelAdmin):
    list_display = ["t", "value", "classification", "source"]
    date_hierarchy = "t"

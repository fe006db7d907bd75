from django.contrib import admin

from sentiment.models import FearGreedPoint, NewsArticle


@admin.register(FearGreedPoint)
class FearGreedPointAdmin(admin.ModelAdmin):
    list_display = ["t", "value", "classification", "source"]
    date_hierarchy = "t"


@admin.register(NewsArticle)
class NewsArticleAdmin(admin.ModelAdmin):
    list_display = ["published_at", "title", "source", "provider", "sentiment_label", "sentiment_score"]
    list_filter = ["sentiment_label", "provider", "source"]
    search_fields = ["title", "url"]
    date_hierarchy = "published_at"
    raw_id_fields = ["coins"]

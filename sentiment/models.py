from django.db import models


class FearGreedPoint(models.Model):
    """The Crypto Fear & Greed index (alternative.me), one value per day."""

    t = models.DateTimeField(unique=True)
    value = models.PositiveSmallIntegerField()
    classification = models.CharField(max_length=40)
    source = models.CharField(max_length=32)

    class Meta:
        ordering = ["-t"]

    def __str__(self) -> str:
        return f"{self.t:%Y-%m-%d} {self.value}"


class NewsArticle(models.Model):
    """A news article, scored once when it is first stored; ``url`` is its identity."""

    LABELS = [("positive", "positive"), ("negative", "negative"), ("neutral", "neutral")]

    url = models.URLField(max_length=1000, unique=True)
    title = models.CharField(max_length=500)
    source = models.CharField(max_length=100, help_text="The publisher")
    provider = models.CharField(max_length=32, help_text="The provider it was collected from")
    published_at = models.DateTimeField(db_index=True)
    summary = models.TextField(blank=True, default="")
    categories = models.JSONField(default=list, blank=True)
    # An M2M through an indexed join table: ?symbol= is an index lookup on SQLite and PostgreSQL.
    coins = models.ManyToManyField("markets.Coin", related_name="news_articles", blank=True)
    sentiment_label = models.CharField(max_length=10, choices=LABELS)
    sentiment_score = models.FloatField()
    sentiment_confidence = models.FloatField()
    sentiment_model = models.CharField(max_length=200)
    collected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title[:80]

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

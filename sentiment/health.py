"""sentiment's readiness check, registered in SentimentConfig.ready."""

from sentiment.analyzers import status as analyzer_status

__all__ = ["analyzer_status"]

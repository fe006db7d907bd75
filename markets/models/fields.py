"""Column types shared by every market model."""

from django.db import models

from providers.validation import MONEY_DIGITS, MONEY_PLACES


def money(**kwargs) -> models.DecimalField:
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    return models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def source() -> models.CharField:
    """Which provider answered (``coingecko``, ``binance``…), recorded on each stored value."""
    return models.CharField(max_length=32)

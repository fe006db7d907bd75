"""Column types shared by every market model."""

from django.db import models

# 22 integer digits hold any market cap or supply; 18 decimals hold a sub-satoshi
# price such as 0.000000001234 with every significant digit the provider sent.
MONEY_DIGITS = 40
MONEY_PLACES = 18


def money(**kwargs) -> models.DecimalField:
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    return models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def source() -> models.CharField:
    """Which provider answered (``coingecko``, ``binance``…), recorded on each stored value."""
    return models.CharField(max_length=32)

"""Directories CoinGecko keeps beside its coins: categories and asset platforms."""

from django.db import models

from markets.models.fields import money, source


class CoinCategory(models.Model):
    """One of CoinGecko's coin categories with its market figures, as its coins/categories
    call last gave them (collected on the schedule; /api/v3/coins/categories serves them)."""

    category_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=200)
    market_cap = money()
    market_cap_change_24h = money(help_text="Percent, as CoinGecko names it")
    volume_24h = money()
    content = models.TextField(blank=True, default="")
    top_3_coins_id = models.JSONField(default=list)
    top_3_coins = models.JSONField(default=list, help_text="Image URLs of the top three coins")
    updated_at = models.DateTimeField(null=True, blank=True, help_text="CoinGecko's own time for the figures")
    t = models.DateTimeField(help_text="When the categories were fetched")
    source = source()

    class Meta:
        ordering = ["category_id"]

    def __str__(self) -> str:
        return self.category_id


class CategoryMembers(models.Model):
    """Which coins a category holds: the ids of CoinGecko's ``coins/markets?category=`` first
    page (its top 250 by market cap), fetched when the category is first asked for and again
    once a day after that (/api/v3/coins/markets?category=)."""

    category = models.OneToOneField(CoinCategory, on_delete=models.CASCADE, related_name="members")
    coin_ids = models.JSONField(default=list)
    t = models.DateTimeField(help_text="When the members were fetched")
    source = source()

    def __str__(self) -> str:
        return f"{self.category_id} ({len(self.coin_ids)})"


class AssetPlatform(models.Model):
    """A chain coins have contracts on (CoinGecko's asset_platforms, collected daily); its id
    is the key of Coin.platforms."""

    platform_id = models.CharField(max_length=100, unique=True)
    chain_identifier = models.BigIntegerField(null=True, blank=True, help_text="Chainlist's chain id")
    name = models.CharField(max_length=200)
    shortname = models.CharField(max_length=100, blank=True, default="")
    # null, not "", where CoinGecko names no native coin: its schema says null
    native_coin_id = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    image = models.JSONField(default=dict)
    t = models.DateTimeField(help_text="When the list was fetched")
    source = source()

    class Meta:
        ordering = ["platform_id"]

    def __str__(self) -> str:
        return self.platform_id

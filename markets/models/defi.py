from django.db import models

from markets.models.fields import money, source


class Protocol(models.Model):
    """A DeFi protocol with its latest TVL (DefiLlama's /protocols)."""

    slug = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=100, blank=True, default="", db_index=True)
    chains = models.JSONField(default=list, blank=True)
    # "|ethereum|arbitrum|": a chain filter that works alike on SQLite and PostgreSQL.
    chain_index = models.TextField(blank=True, default="")
    symbol = models.CharField(max_length=40, blank=True, default="")
    gecko_id = models.CharField(max_length=120, blank=True, default="")
    tvl = money()
    change_1d_pct = money()
    as_of = models.DateTimeField()
    source = source()

    class Meta:
        indexes = [models.Index(fields=["-tvl"], name="protocol_tvl_desc")]

    def __str__(self) -> str:
        return self.slug


class ProtocolTVLPoint(models.Model):
    """Daily TVL of a protocol; ``t`` is the start of the UTC day, the day's last value wins."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="+")
    t = models.DateTimeField()
    tvl = money(null=False, blank=False)
    source = source()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["protocol", "t"], name="protocol_tvl_unique")]

    def __str__(self) -> str:
        return f"{self.protocol_id} {self.t:%Y-%m-%d}"


class Chain(models.Model):
    name = models.CharField(max_length=100, unique=True)
    tvl = money(null=False, blank=False)
    token_symbol = models.CharField(max_length=40, blank=True, default="")
    gecko_id = models.CharField(max_length=120, blank=True, default="")
    as_of = models.DateTimeField()
    source = source()

    def __str__(self) -> str:
        return self.name

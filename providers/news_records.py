"""What a news provider answers with, whatever its wire format."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NewsItem:
    title: str
    url: str
    source: str  # the publisher ("CoinDesk"), not the provider that relayed it
    published_at: datetime
    summary: str = ""
    categories: tuple[str, ...] = ()
    provider: str = ""  # set by the router: which provider relayed it

"""The README's "A short tour" runs top to bottom at the shipped rate limits without a 429."""

import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from cryptodt.env import envrate

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def tour_commands() -> list[list[str]]:
    text = README.read_text()
    block = text.split("## A short tour", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    block = block.replace("\\\n", " ")
    commands = []
    for line in block.splitlines():
        line = line.split("  #", 1)[0].strip()
        if "curl " in line:
            commands.append(shlex.split(line[line.index("curl ") :].rstrip(")"), posix=True))
    return commands


def test_the_tour_lists_every_read_endpoint():
    urls = [next(a for a in cmd if "localhost:8000" in a) for cmd in tour_commands()]
    assert len(urls) >= 14
    assert any("/api/ohlcv" in url for url in urls) and any("/api/news" in url for url in urls)


def test_the_readme_tour_never_hits_the_default_anonymous_limit(monkeypatch, django_user_model):
    monkeypatch.delenv("RATE_ANON", raising=False)
    assert settings.RATE_ANON == envrate("RATE_ANON", settings.RATE_ANON)  # the shipped default
    django_user_model.objects.create_user(username="me", password="a-long-tour-password")
    client = APIClient(REMOTE_ADDR="203.0.113.50")
    statuses = []
    for command in tour_commands():
        url = next(a for a in command if "localhost:8000" in a).split("localhost:8000", 1)[1]
        method = command[command.index("-X") + 1] if "-X" in command else "GET"
        headers = dict(
            command[i + 1].split(": ", 1) for i, arg in enumerate(command) if arg == "-H" and ": " in command[i + 1]
        )
        body = command[command.index("-d") + 1] if "-d" in command else None
        if "/api/auth/token" in url:
            body = '{"username": "me", "password": "a-long-tour-password"}'
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        extra = {k: v for k, v in extra.items() if "<key>" not in v and "$TOKEN" not in v}
        response = client.generic(method, url, body or "", content_type="application/json", **extra)
        statuses.append((method, url, response.status_code))
    assert not [s for s in statuses if s[2] == 429], statuses
    assert re.match(r"\d+/m", settings.RATE_ANON)

"""The first start downloads SENTIMENT_MODEL from the hub (here a local stand-in speaking
the hub's file API), switches from the lexicon to it, and rescores stored articles."""

import pytest
from django.core.management import CommandError, call_command
from django_q.conf import Conf

from sentiment import analyzers, model_store
from sentiment.analyzers import status
from sentiment.analyzers.lexicon import LexiconAnalyzer
from sentiment.models import NewsArticle
from sentiment.news import ingest_news
from tests.sentiment import tiny_model
from tests.sentiment.fake_hub import FakeHub
from tests.sentiment.test_news_ingest import item

pytestmark = pytest.mark.django_db
REPO = "tiny-org/tiny-finbert"


@pytest.fixture
def hub(tiny_positive_model, settings):
    hub = FakeHub(REPO, tiny_positive_model).start()
    settings.HF_ENDPOINT = hub.url
    settings.SENTIMENT_MODEL = REPO
    yield hub
    hub.stop()


@pytest.fixture
def tasks_run_inline(monkeypatch):
    """django-q2's own sync mode: queued tasks run at once, through the same task path."""
    monkeypatch.setattr(Conf, "SYNC", True)


def test_a_hub_model_not_downloaded_yet_serves_the_lexicon_and_says_why(hub):
    assert "not downloaded yet" in status()["detail"]
    assert analyzers.get_analyzer().backend == "lexicon"
    state = status()
    assert state["backend"] == "lexicon" and "not downloaded yet" in state["fallback_reason"]
    assert hub.hits == []  # loading never downloads


def test_the_first_start_downloads_switches_and_rescores(hub, tasks_run_inline, coins):
    ingest_news(items=[item("Bitcoin plunges after exchange hack")], analyzer=LexiconAnalyzer())
    assert NewsArticle.objects.get().sentiment_label == "negative"
    assert analyzers.get_analyzer().backend == "lexicon"

    call_command("setup_schedules")  # what bin/serve.py runs at every start

    paths = [path for _, path in hub.hits]
    assert f"/api/models/{REPO}/revision/main" in paths
    assert any(path.startswith(f"/{REPO}/resolve/") and path.endswith(".safetensors") for path in paths)
    assert list(model_store.store_dir().glob("models--tiny-org--tiny-finbert/snapshots/*/config.json"))
    # The web process's fallback notices the finished download and switches by itself.
    assert analyzers.get_analyzer().backend == "transformer"
    assert status()["detail"] == f"transformer {REPO}"
    article = NewsArticle.objects.get()
    assert (article.sentiment_model, article.sentiment_label) == (REPO, "positive")  # the tiny model's answer


def test_a_second_start_downloads_nothing(hub, tasks_run_inline):
    call_command("fetch_model")
    hits = len(hub.hits)
    call_command("setup_schedules")
    call_command("fetch_model")
    assert len(hub.hits) == hits


def test_a_changed_model_rescores_stored_articles_at_start(settings, tasks_run_inline, tmp_path, coins):
    ingest_news(items=[item("Bitcoin plunges after exchange hack")], analyzer=LexiconAnalyzer())
    settings.SENTIMENT_MODEL = str(tiny_model.build(tmp_path / "other-model"))
    call_command("setup_schedules")
    assert NewsArticle.objects.get().sentiment_model == "other-model"


def test_offline_never_contacts_the_hub_and_says_so(hub, settings, tasks_run_inline):
    settings.HF_HUB_OFFLINE = True
    call_command("setup_schedules")
    with pytest.raises(CommandError, match="HF_HUB_OFFLINE=1"):
        call_command("fetch_model")
    assert hub.hits == []
    analyzer = analyzers.get_analyzer()
    assert analyzer.backend == "lexicon"
    assert "HF_HUB_OFFLINE=1 forbids downloading it" in status()["fallback_reason"]


def test_the_lexicon_setting_never_downloads(hub, settings, tasks_run_inline):
    settings.SENTIMENT_MODEL = "lexicon"
    call_command("setup_schedules")
    call_command("fetch_model")
    assert hub.hits == []


def test_a_failed_download_is_reported_and_the_lexicon_serves(settings, hub, tasks_run_inline):
    settings.SENTIMENT_MODEL = "tiny-org/not-on-the-hub"
    with pytest.raises(CommandError, match="download failed"):
        call_command("fetch_model")
    assert analyzers.get_analyzer().backend == "lexicon"
    assert "download failed" in status()["fallback_reason"]

import csv
import logging
import threading
from pathlib import Path

import pytest

from sentiment import analyzers
from sentiment.analyzers.lexicon import LexiconAnalyzer
from sentiment.analyzers.transformer import UnusableModel, polarity_of_labels
from tests.sentiment import tiny_model

HEADLINES = Path(__file__).parents[1] / "fixtures" / "sentiment" / "headlines.csv"


def labelled_headlines() -> list[dict]:
    with HEADLINES.open(newline="") as handle:
        return list(csv.DictReader(handle))


def accuracy(analyzer, rows) -> float:
    results = analyzer.analyze([row["headline"] for row in rows])
    return sum(result.label == row["label"] for result, row in zip(results, rows, strict=True)) / len(rows)


def test_the_labelled_set_is_balanced_and_large_enough():
    rows = labelled_headlines()
    counts = {label: sum(row["label"] == label for row in rows) for label in analyzers.LABELS}
    assert len(rows) >= 60
    assert len(set(counts.values())) == 1, counts


def test_the_crypto_lexicon_labels_headlines_better_than_plain_vader():
    rows = labelled_headlines()
    plain = accuracy(LexiconAnalyzer(crypto=False), rows)
    crypto = accuracy(LexiconAnalyzer(crypto=True), rows)
    assert crypto >= 0.8
    assert crypto > plain + 0.15


@pytest.mark.parametrize(
    ("headline", "label"),
    [
        ("Protocol loses $50 million in rug pull", "negative"),
        ("Bitcoin sets a new all-time high", "positive"),
        ("SEC lawsuit names the exchange's founder", "negative"),
        ("Regulator grants ETF approval for ether", "positive"),
        ("Exchange announces delisting of three tokens", "negative"),
        ("Liquidations mount as ether plunges", "negative"),
        ("Ethereum Foundation publishes its annual report", "neutral"),
    ],
)
def test_the_lexicon_knows_market_phrases(headline, label):
    assert LexiconAnalyzer().analyze([headline])[0].label == label


def test_lexicon_results_stay_in_range():
    texts = ["", "!!!", "HACK HACK HACK exploit rug pull crash", "surge " * 500, "ünïcödé ✓ 🚀"]
    for result in LexiconAnalyzer().analyze(texts):
        assert result.label in analyzers.LABELS
        assert -1 <= result.score <= 1
        assert 0 <= result.confidence <= 1


def test_lexicon_setting_forces_the_lexicon(settings, tiny_positive_model):
    settings.SENTIMENT_MODEL = "lexicon"
    analyzer = analyzers.get_analyzer()
    assert analyzer.backend == "lexicon"
    assert analyzers.status()["fallback_reason"] is None


def test_the_tiny_model_runs_through_the_transformers_pipeline(settings, tiny_positive_model):
    settings.SENTIMENT_MODEL = str(tiny_positive_model)
    analyzer = analyzers.get_analyzer()
    assert analyzer.backend == "transformer"
    assert analyzer.name == tiny_positive_model.name  # the directory's name, not the server's path
    results = analyzer.analyze(["Bitcoin surges to a record high", "Exchange hacked", "x " * 2000])
    assert [r.label for r in results] == ["positive"] * 3
    for result in results:
        # bias (0, 0, 4): p(pos) = e^4 / (2 + e^4) = 0.9646, p(neg) = 1 / (2 + e^4) = 0.0177
        assert result.score == pytest.approx(0.9470, abs=1e-3)
        assert result.confidence == pytest.approx(0.9646, abs=1e-3)


def test_generic_label_names_map_by_position(tmp_path, settings):
    model = tiny_model.build(tmp_path / "m", id2label={0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, bias=(4, 0, 0))
    settings.SENTIMENT_MODEL = str(model)
    result = analyzers.get_analyzer().analyze(["Exchange hacked"])[0]
    assert result.label == "negative"
    assert result.score < -0.9


def test_two_label_models_have_no_neutral(tmp_path, settings):
    model = tiny_model.build(tmp_path / "m", id2label={0: "NEGATIVE", 1: "POSITIVE"}, bias=(0.0, 0.1))
    settings.SENTIMENT_MODEL = str(model)
    result = analyzers.get_analyzer().analyze(["so so"])[0]
    assert result.label == "positive"
    assert result.score == pytest.approx(0.05, abs=0.01)


def test_labels_that_say_nothing_about_polarity_are_refused():
    with pytest.raises(UnusableModel):
        polarity_of_labels({0: "spam", 1: "ham"})
    with pytest.raises(UnusableModel):
        polarity_of_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2", 3: "LABEL_3"})


def test_a_model_that_is_not_there_falls_back_to_the_lexicon(settings, tmp_path, caplog):
    settings.SENTIMENT_MODEL = str(tmp_path / "no-such-model")
    with caplog.at_level(logging.WARNING, logger="sentiment"):
        analyzer = analyzers.get_analyzer()
    assert analyzer.backend == "lexicon"
    assert "falling back to the lexicon" in caplog.text
    state = analyzers.status()
    assert state["backend"] == "lexicon" and state["fallback_reason"]
    assert str(tmp_path) not in str(state)


def test_a_hub_id_without_a_cached_copy_falls_back_without_the_network(settings, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    settings.SENTIMENT_MODEL = "ProsusAI/finbert"
    assert analyzers.get_analyzer().backend == "lexicon"


def test_a_model_with_unusable_labels_falls_back(settings, tmp_path):
    settings.SENTIMENT_MODEL = str(tiny_model.build(tmp_path / "m", id2label={0: "spam", 1: "ham"}, bias=(0, 0)))
    assert analyzers.get_analyzer().backend == "lexicon"


def test_status_does_not_load_the_model(settings, tiny_positive_model):
    settings.SENTIMENT_MODEL = str(tiny_positive_model)
    assert analyzers.status()["detail"] == "not loaded yet"
    analyzers.get_analyzer()
    assert analyzers.status()["backend"] == "transformer"


def test_the_analyzer_loads_once_for_concurrent_callers(settings, tiny_positive_model):
    settings.SENTIMENT_MODEL = str(tiny_positive_model)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(analyzers.get_analyzer())) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(analyzer) for analyzer in seen}) == 1

"""Sentiment analyzers: throughput and headline accuracy, offline.

- accuracy of plain VADER and of VADER + the crypto lexicon on the labelled headlines in
  tests/fixtures/sentiment/headlines.csv (the set the lexicon was written against: an
  in-sample number, an upper bound for unseen headlines);
- headlines per second of the lexicon, of the tiny test model and of a randomly initialised
  DistilBERT-sized model (6 layers, hidden 768: the size of finbert-class models, so the
  timing stands in for a real one; its labels mean nothing) through transformers.pipeline,
  with SENTIMENT_THREADS torch threads, for batches of 32 and 256 headlines.

    .venv/bin/python bench/sentiment/analyzers.py [--repeat 5] [--no-distilbert]
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="cryptodt-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from sentiment.analyzers.lexicon import LexiconAnalyzer  # noqa: E402
from sentiment.analyzers.transformer import TransformerAnalyzer  # noqa: E402
from tests.sentiment import tiny_model  # noqa: E402

HEADLINES = ROOT / "tests" / "fixtures" / "sentiment" / "headlines.csv"
# Written after the lexicon was tuned and never used to tune it: the honest number.
HOLDOUT = ROOT / "tests" / "fixtures" / "sentiment" / "headlines_holdout.csv"


def labelled(path: Path = HEADLINES) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def accuracy(analyzer, rows) -> tuple[float, dict]:
    results = analyzer.analyze([row["headline"] for row in rows])
    per_label: dict[str, list[int]] = {}
    for result, row in zip(results, rows, strict=True):
        per_label.setdefault(row["label"], []).append(result.label == row["label"])
    overall = sum(sum(hits) for hits in per_label.values()) / len(rows)
    return overall, {label: sum(hits) / len(hits) for label, hits in sorted(per_label.items())}


def throughput(analyzer, texts: list[str], repeat: int) -> tuple[float, float, float]:
    analyzer.analyze(texts[:4])  # warm up (first call builds caches)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        analyzer.analyze(texts)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    return median, min(timings), len(texts) / median


def distilbert_sized(directory: Path) -> Path:
    import torch
    from transformers import BertTokenizerFast, DistilBertConfig, DistilBertForSequenceClassification

    directory.mkdir(parents=True, exist_ok=True)
    vocab = directory / "vocab.txt"
    words = tiny_model.vocabulary(HEADLINES.read_text())
    vocab.write_text("\n".join(words + [f"x{i}" for i in range(30522 - len(words))]) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)
    config = DistilBertConfig(
        vocab_size=len(tokenizer), num_labels=3, id2label={0: "negative", 1: "neutral", 2: "positive"}
    )
    torch.manual_seed(0)
    DistilBertForSequenceClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-distilbert", action="store_true")
    args = parser.parse_args()
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    rows = labelled()
    print("| set | analyzer | accuracy | positive | negative | neutral |")
    print("|---|---|---|---|---|---|")
    for name, path in (("tuning set", HEADLINES), ("held-out set", HOLDOUT)):
        subset = labelled(path)
        for analyzer in (LexiconAnalyzer(crypto=False), LexiconAnalyzer(crypto=True)):
            overall, by_label = accuracy(analyzer, subset)
            print(
                f"| {name} ({len(subset)}) | {analyzer.name} | {overall:.1%} | {by_label['positive']:.0%} | "
                f"{by_label['negative']:.0%} | {by_label['neutral']:.0%} |"
            )

    work = Path(tempfile.mkdtemp(prefix="cryptodt-models-"))
    options = {
        "threads": settings.SENTIMENT_THREADS,
        "batch_size": settings.SENTIMENT_BATCH_SIZE,
        "max_length": settings.SENTIMENT_MAX_LENGTH,
    }
    analyzers = [
        ("lexicon:vader-crypto", LexiconAnalyzer()),
        ("tiny BERT (2 layers, hidden 32)", TransformerAnalyzer(str(tiny_model.build(work / "tiny")), **options)),
    ]
    if not args.no_distilbert:
        started = time.perf_counter()
        model = TransformerAnalyzer(str(distilbert_sized(work / "distilbert")), **options)
        print(f"\nDistilBERT-sized model built and loaded in {time.perf_counter() - started:.1f} s")
        analyzers.append(("DistilBERT-sized (6 layers, hidden 768)", model))
    headlines = [row["headline"] for row in rows]
    print(f"\nthreads={options['threads']} batch_size={options['batch_size']} median of {args.repeat}")
    print("| analyzer | 32: median s | 32: best s | 32: per s | 256: median s | 256: best s | 256: per s |")
    print("|---|---|---|---|---|---|---|")
    for name, analyzer in analyzers:
        cells = []
        for count in (32, 256):
            texts = (headlines * (count // len(headlines) + 1))[:count]
            median, best, rate = throughput(analyzer, texts, args.repeat)
            cells += [f"{median:.3f}", f"{best:.3f}", f"{rate:,.0f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    news_store(headlines)


def news_store(headlines: list[str]) -> None:
    """Ingest (validate, dedupe, tag against 250 coins, score with the lexicon, store) and
    the two read selectors, on the embedded SQLite profile."""
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from django.core.management import call_command

    from markets.services import ingest
    from providers.news_records import NewsItem
    from providers.records import MarketRow
    from sentiment import selectors
    from sentiment.news import ingest_news

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    ingest.ingest_market_rows(
        rows=[
            MarketRow(
                coin_id=f"coin-{i}",
                symbol=f"C{i}",
                name=f"Coin Number {i}",
                price=Decimal(1),
                as_of=now,
                rank=i + 1,
                market_cap=Decimal(10**9 - i),
            )
            for i in range(250)
        ],
        source="bench",
        track=True,
    )
    lexicon = LexiconAnalyzer()
    timings = []
    for batch in range(10):
        items = [
            NewsItem(
                title=f"{headlines[(batch * 100 + n) % len(headlines)]} C{n % 250}",
                url=f"https://news.example.test/{batch}/{n}",
                source="Bench",
                published_at=now - timedelta(minutes=batch * 100 + n),
                categories=(f"C{(n * 7) % 250}", "Market"),
            )
            for n in range(100)
        ]
        started = time.perf_counter()
        ingest_news(items=items, provider="bench", analyzer=lexicon)
        timings.append(time.perf_counter() - started)
    again = time.perf_counter()
    ingest_news(items=items, provider="bench", analyzer=lexicon)
    repeat_s = time.perf_counter() - again
    print("\nnews store (SQLite, 250 followed coins, lexicon)")
    print(f"- ingest 100 new articles: median {statistics.median(timings) * 1000:.0f} ms (10 batches)")
    print(f"- the same 100 again (all known): {repeat_s * 1000:.1f} ms")
    for name, call in (
        ("news limit=50", lambda: selectors.news(symbol=None, since=None, limit=50)),
        ("news symbol=C7 limit=50", lambda: selectors.news(symbol="C7", since=None, limit=50)),
        ("summary hours=24", lambda: selectors.summary(symbol=None, hours=24)),
        ("summary symbol=C7 hours=24", lambda: selectors.summary(symbol="C7", hours=24)),
    ):
        runs = []
        for _ in range(50):
            started = time.perf_counter()
            call()
            runs.append(time.perf_counter() - started)
        print(f"- {name}: median {statistics.median(runs) * 1000:.2f} ms (n=50, 1,000 articles stored)")


if __name__ == "__main__":
    main()

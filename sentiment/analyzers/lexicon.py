"""The offline analyzer: VADER with crypto-market vocabulary.

VADER scores single tokens, so multi-word market phrases ("rug pull", "all-time high",
"SEC lawsuit") are first rewritten into one token each that the added lexicon knows.
Valences use VADER's scale (-4 .. 4); they were chosen against the labelled headlines in
tests/fixtures/sentiment/headlines.csv and measured in bench/sentiment (see BENCHMARKS.md).
"""

import re
from collections.abc import Sequence

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from sentiment.analyzers.base import Analyzer, Sentiment, clamp

# VADER's own cut-off for its compound score.
NEUTRAL_BAND = 0.05

# phrase (regex, case-insensitive) -> the single token it becomes
PHRASES = {
    r"rug[\s-]?pull(s|ed)?": "cxrugpull",
    r"all[\s-]time[\s-]highs?|\bATHs?\b": "cxath",
    r"record[\s-]highs?": "cxath",
    r"(multi[\s-])?(year|month)[\s-]lows?": "cxlow",
    r"all[\s-]time[\s-]lows?": "cxlow",
    r"etf\s+(approval|approved|approves|greenlit|green[\s-]light)": "cxetfyes",
    r"(approves?|approved|greenlights?)\s+(\w+\s+){0,3}etfs?": "cxetfyes",
    r"(rejects?|rejected|denies|denied|delays?|delayed)\s+(\w+\s+){0,3}etfs?": "cxetfno",
    r"etfs?\s+(rejection|rejected|denied|delayed)": "cxetfno",
    r"etf\s+inflows?": "cxinflow",
    r"(net\s+)?inflows?": "cxinflow",
    r"(net\s+)?outflows?": "cxoutflow",
    r"sec\s+(lawsuit|sues|suit|charges|complaint)": "cxsecsuit",
    r"(sued|charged)\s+by\s+(the\s+)?sec": "cxsecsuit",
    r"short\s+squeeze": "cxsqueeze",
    r"death\s+cross": "cxdeathcross",
    r"golden\s+cross": "cxgoldencross",
    r"bank\s+run": "cxbankrun",
    r"exit\s+scam": "cxexitscam",
    r"ponzi(\s+scheme)?": "cxponzi",
    r"(files?|filed|filing)\s+for\s+bankruptcy": "cxbankrupt",
    r"withdrawals?\s+(halted|paused|frozen|suspended)": "cxhalt",
    r"(halts?|pauses?|freezes?|suspends?)\s+withdrawals?": "cxhalt",
    r"to\s+the\s+moon": "cxmoon",
    r"mainnet\s+launch(es|ed)?": "cxlaunch",
    r"partners?\s+with|partnership": "cxpartner",
}

# token -> valence (-4 .. 4)
CRYPTO_LEXICON = {
    # phrases above
    "cxrugpull": -3.4,
    "cxath": 2.6,
    "cxlow": -2.2,
    "cxetfyes": 2.8,
    "cxetfno": -2.2,
    "cxinflow": 1.6,
    "cxoutflow": -1.6,
    "cxsecsuit": -2.8,
    "cxsqueeze": 1.2,
    "cxdeathcross": -2.0,
    "cxgoldencross": 2.0,
    "cxbankrun": -2.8,
    "cxexitscam": -3.4,
    "cxponzi": -3.0,
    "cxbankrupt": -3.2,
    "cxhalt": -2.6,
    "cxmoon": 2.4,
    "cxlaunch": 1.6,
    "cxpartner": 1.4,
    # market moves
    "surge": 2.2,
    "surges": 2.2,
    "surged": 2.2,
    "surging": 2.2,
    "soar": 2.4,
    "soars": 2.4,
    "soared": 2.4,
    "soaring": 2.4,
    "rally": 2.0,
    "rallies": 2.0,
    "rallied": 2.0,
    "jump": 1.6,
    "jumps": 1.6,
    "jumped": 1.6,
    "climb": 1.4,
    "climbs": 1.4,
    "climbed": 1.4,
    "gain": 1.4,
    "gains": 1.4,
    "rebound": 1.6,
    "rebounds": 1.6,
    "recovers": 1.4,
    "skyrockets": 2.8,
    "breakout": 1.8,
    "bullish": 2.4,
    "bulls": 1.4,
    "adoption": 1.4,
    "upgrade": 1.2,
    "approval": 1.6,
    "approves": 1.6,
    "approved": 1.6,
    "milestone": 1.6,
    "accumulate": 1.0,
    "accumulating": 1.0,
    "plunge": -2.6,
    "plunges": -2.6,
    "plunged": -2.6,
    "plummet": -2.8,
    "plummets": -2.8,
    "plummeted": -2.8,
    "crash": -2.8,
    "crashes": -2.8,
    "crashed": -2.8,
    "tumble": -2.2,
    "tumbles": -2.2,
    "tumbled": -2.2,
    "slump": -2.0,
    "slumps": -2.0,
    "slide": -1.6,
    "slides": -1.6,
    "sink": -1.6,
    "sinks": -1.6,
    "drop": -1.4,
    "drops": -1.4,
    "dropped": -1.4,
    "fall": -1.4,
    "falls": -1.4,
    "fell": -1.4,
    "dump": -2.0,
    "dumps": -2.0,
    "selloff": -2.2,
    "sell-off": -2.2,
    "bearish": -2.4,
    "bears": -1.2,
    "capitulation": -2.4,
    "capitulate": -2.4,
    "capitulates": -2.4,
    "liquidations": -2.0,
    "liquidated": -2.2,
    "volatility": -0.6,
    "correction": -1.2,
    # security and legal
    "hack": -3.0,
    "hacks": -3.0,
    "hacked": -3.0,
    "hacker": -2.4,
    "hackers": -2.4,
    "exploit": -3.0,
    "exploits": -3.0,
    "exploited": -3.0,
    "heist": -3.0,
    "drained": -2.8,
    "stolen": -2.8,
    "breach": -2.6,
    "scam": -3.0,
    "scams": -3.0,
    "fraud": -3.2,
    "delisting": -2.4,
    "delist": -2.4,
    "delists": -2.4,
    "delisted": -2.4,
    "lawsuit": -2.0,
    "sues": -2.0,
    "sued": -2.0,
    "crackdown": -2.2,
    "ban": -2.2,
    "bans": -2.2,
    "banned": -2.2,
    "insolvency": -3.0,
    "insolvent": -3.0,
    "bankruptcy": -3.0,
    "depeg": -2.6,
    "depegs": -2.6,
    "depegged": -2.6,
    "outage": -2.0,
    "fud": -1.6,
    # words VADER gets wrong in market news
    "bull": 1.4,
    "bear": -1.2,
    "mining": 0.0,
    "miners": 0.0,
    "token": 0.0,
    "stable": 0.0,
    "stablecoin": 0.0,
    "stablecoins": 0.0,
    "support": 0.0,
    "freeze": -1.6,
    "frozen": -1.4,
}

_PHRASE_PATTERNS = [(re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), token) for pattern, token in PHRASES.items()]


def rewrite_phrases(text: str) -> str:
    for pattern, token in _PHRASE_PATTERNS:
        text = pattern.sub(f" {token} ", text)
    return text


class LexiconAnalyzer(Analyzer):
    backend = "lexicon"

    def __init__(self, *, crypto: bool = True):
        self.crypto = crypto
        self.name = "lexicon:vader-crypto" if crypto else "lexicon:vader"
        self._vader = SentimentIntensityAnalyzer()
        if crypto:
            self._vader.lexicon.update(CRYPTO_LEXICON)

    def analyze(self, texts: Sequence[str]) -> list[Sentiment]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> Sentiment:
        scores = self._vader.polarity_scores(rewrite_phrases(text) if self.crypto else text)
        compound = scores["compound"]
        if compound >= NEUTRAL_BAND:
            label, confidence = "positive", 0.5 + abs(compound) / 2
        elif compound <= -NEUTRAL_BAND:
            label, confidence = "negative", 0.5 + abs(compound) / 2
        else:
            label, confidence = "neutral", 1 - abs(compound) / NEUTRAL_BAND / 2
        return Sentiment(label=label, score=round(compound, 4), confidence=round(clamp(confidence, 0.0, 1.0), 4))

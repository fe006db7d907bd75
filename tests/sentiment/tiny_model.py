"""A tiny BERT sequence classifier built from scratch, so the transformers path runs offline.

Random weights, except the classifier: its bias decides the answer, so a test knows what
the model will say whatever the text.
"""

import re
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = """
bitcoin ether ethereum solana crypto market price token exchange etf sec hack exploit rug pull
surge plunge rally crash bullish bearish high low record all time approval lawsuit delisting
liquidations the a an of to in on for as and after is are with by from at new up down
""".split()


def vocabulary(extra_text: str = "") -> list[str]:
    words = list(dict.fromkeys(WORDS + re.findall(r"[a-z]+", extra_text.lower())))
    filler = [f"w{i}" for i in range(max(0, 300 - len(words)))]
    return SPECIAL + words + filler


def build(
    directory: Path,
    *,
    id2label: dict[int, str] | None = None,
    bias: tuple[float, ...] = (0.0, 0.0, 4.0),
    extra_text: str = "",
) -> Path:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    id2label = id2label or {0: "negative", 1: "neutral", 2: "positive"}
    directory.mkdir(parents=True, exist_ok=True)
    vocab_file = directory / "vocab.txt"
    vocab_file.write_text("\n".join(vocabulary(extra_text)) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=True)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=len(id2label),
        id2label=id2label,
        label2id={label: i for i, label in id2label.items()},
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory

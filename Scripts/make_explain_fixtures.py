#!/usr/bin/env python3
"""Writes Tests/AttentionModelsTests/Fixtures/explain_attentions.json: Hugging Face transformers' attention weights
(output_attentions=True, eager attention) of all-MiniLM-L6-v2 for texts the Swift code never saw, and the tokenizer's
ids and token types for sentence pairs, truncated or not (tokenizer(a, b, truncation=True, max_length=n)).

    unset OPENBLAS_CORETYPE; python3 Scripts/make_explain_fixtures.py [MODEL_DIR]   # default: Scripts/fetch-minilm.sh

Short texts keep every weight; the 120-token text keeps a few query rows of every layer and head (the file stays
small). Weights are rounded to 6 decimals (far below the 1e-5 the test allows), so a rerun writes the same bytes.
"""
import json
import os
import subprocess
import sys

import torch
from transformers import AutoModel, AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "AttentionModelsTests", "Fixtures", "explain_attentions.json")

LONG = ("On the first cold morning of the season, the ferry captain counted seventeen gulls perched along the "
        "railing, each one facing the same way as if waiting for instructions. The passengers, wrapped in scarves "
        "and clutching paper cups of bitter coffee, argued quietly about whether the fog would lift before they "
        "reached the harbour. A child near the stern insisted that the island ahead was moving, drifting slowly "
        "north like a sleeping whale, and nobody had the heart to correct her. By the time the engines slowed, "
        "the sun had broken through in long copper stripes, and the gulls lifted together, circling twice before "
        "they scattered over the grey water toward the distant cliffs and the old lighthouse beyond them.")

# (name, text, second text or None)
ATTENTION_CASES = [
    ("accents", "Zoë a goûté la crème brûlée à Besançon.", None),
    ("cjk", "雨の日は本を読む。", None),
    ("pair", "Why did the keeper whistle?", "The fog horn had rusted."),
]
LONG_ROWS = [0, 60, 119]

# (text, second text or None, max_length): ids and token types only.
TOKENIZATION_CASES = [
    ("Why did the lighthouse keeper whistle at noon?", "Because the fog horn had rusted shut.", 512),
    ("one two three four five six seven eight nine ten eleven", "alpha beta", 10),
    ("alpha beta", "one two three four five six seven eight nine ten eleven", 10),
    ("one two three four five six", "seven eight nine ten eleven twelve", 11),
    ("one two three four five six", "seven eight nine ten eleven twelve", 12),
    ("un deux trois quatre cinq six sept", "eins zwei drei vier fünf sechs", 9),
    ("Crème brûlée, s'il vous plaît.", None, 6),
    ("a", "b", 3),
]


def model_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    return subprocess.run(["bash", os.path.join(ROOT, "Scripts", "fetch-minilm.sh")], check=True,
                          capture_output=True, text=True).stdout.strip()


def long_text(tokenizer):
    """The longest word prefix of LONG that encodes to at most 120 tokens ([CLS] and [SEP] included)."""
    words = LONG.split(" ")
    best = None
    for n in range(1, len(words) + 1):
        text = " ".join(words[:n])
        if len(tokenizer(text)["input_ids"]) <= 120:
            best = text
    assert len(tokenizer(best)["input_ids"]) == 120, "adjust LONG: no prefix of exactly 120 tokens"
    return best


def rounded(values):
    return [round(float(x), 6) + 0.0 for x in values]


def main():
    directory = model_dir()
    tokenizer = AutoTokenizer.from_pretrained(directory)
    model = AutoModel.from_pretrained(directory, attn_implementation="eager").eval()
    cases = []
    all_cases = ATTENTION_CASES + [("long120", long_text(tokenizer), None)]
    for name, text, second in all_cases:
        enc = tokenizer(text, second, return_tensors="pt")
        with torch.no_grad():
            out = model(**enc, output_attentions=True)
        n = enc["input_ids"].shape[1]
        rows = LONG_ROWS if name == "long120" else list(range(n))
        attentions = [[[rounded(layer[0, h, q]) for q in rows] for h in range(layer.shape[1])] for layer in out.attentions]
        cases.append({"name": name, "text": text, "text_pair": second,
                      "input_ids": enc["input_ids"][0].tolist(), "token_type_ids": enc["token_type_ids"][0].tolist(),
                      "tokens": tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist()),
                      "rows": rows, "attentions": attentions})
    tokenization = []
    for text, second, max_length in TOKENIZATION_CASES:
        enc = tokenizer(text, second, truncation=True, max_length=max_length)
        tokenization.append({"text": text, "text_pair": second, "max_length": max_length,
                             "input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"]})
    lines = ['{"model": "all-MiniLM-L6-v2",', ' "tokenization": [']
    lines.append(",\n".join("  " + json.dumps(t, ensure_ascii=False, separators=(",", ":")) for t in tokenization))
    lines.append(' ],')
    lines.append(' "cases": [')
    lines.append(",\n".join("  " + json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in cases))
    lines.append(' ]}')
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes, transformers attentions of {len(cases)} texts)")


if __name__ == "__main__":
    main()

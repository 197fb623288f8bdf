#!/usr/bin/env python3
"""Writes Tests/AttentionModelsTests/Fixtures/embeddings.json: sentence-transformers embeddings (and token ids) of
all-MiniLM-L6-v2 for a fixed set of sentences, the reference the Swift BERT is compared against.

    pip install sentence-transformers && Scripts/fetch-minilm.sh && python3 Scripts/make_embedding_fixtures.py

Runs on the CPU in float32 with one thread, so rerunning it regenerates the file byte for byte.
"""
import json
import os
import pathlib
import subprocess

import torch
from sentence_transformers import SentenceTransformer

torch.set_num_threads(1)
ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests/AttentionModelsTests/Fixtures/embeddings.json"
MODEL = subprocess.run([str(ROOT / "Scripts/fetch-minilm.sh")], check=True, capture_output=True, text=True).stdout.strip()

PARAGRAPH = (
    "Attention mechanisms let a model weigh every part of its input when it produces each part of its output. "
    "Instead of squeezing a whole sentence into one fixed vector, the decoder looks back at all encoder states, "
    "scores each of them against its current state, turns the scores into weights with a softmax, and takes the "
    "weighted average as its context. The Transformer builds everything from this idea: self-attention relates "
    "the positions of one sequence, multi-head attention runs several of these comparisons in parallel, and "
    "positional encodings restore the order that attention alone ignores. The price is a cost quadratic in the "
    "sequence length, which fused kernels such as FlashAttention reduce in memory, though not in arithmetic."
)

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "",
    "   ",
    "Café naïve résumé — déjà vu à Zürich.",
    "我爱北京天安门",
    "東京は日本の首都です。",
    "한국어 문장도 토큰화됩니다.",
    "Emoji: 😀🚀🎉 and symbols ™ © ®",
    "!!!...???,,,;;;---",
    "https://example.com/path?query=1&x=y#frag",
    "Numbers 3.14159, 2,718 and 1e-9.",
    "MiXeD CaSe WoRdS In A SeNtEnCe",
    "a" * 120 + " is a very long word",
    PARAGRAPH,
    (PARAGRAPH + " ") * 3,
    "Tabs\tand\nnewlines\r\nin text",
    "Ελληνικά και русский текст",
]


def main():
    model = SentenceTransformer(MODEL, device="cpu")
    vectors = model.encode(SENTENCES, batch_size=8, convert_to_numpy=True, normalize_embeddings=False)
    ids = [model.tokenizer(s, truncation=True, max_length=model.max_seq_length)["input_ids"] for s in SENTENCES]
    cases = [{"text": s, "input_ids": i, "embedding": [float(f"{v:.8g}") for v in vec.tolist()]}
             for s, i, vec in zip(SENTENCES, ids, vectors)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "Scripts/make_embedding_fixtures.py", "model": "all-MiniLM-L6-v2",
                               "max_seq_length": model.max_seq_length, "cases": cases}, indent=1, ensure_ascii=True) + "\n")
    print(f"wrote {OUT} ({len(cases)} sentences, {len(ids[-4])} tokens in the longest kept)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Per-matrix error of reduced precision: which BERT matrices can be int8 (or bf16) and which must stay fp32.

    swift build -c release && python3 Scripts/measure_int8_layers.py [--precision int8] [--per-layer]

Reference: sentence-transformers fp32 embeddings of the 20 fixture sentences (Tests/AttentionModelsTests/Fixtures/
embeddings.json, made by Scripts/make_minilm_fixtures.py) and of the 512 benchmark sentences of
Scripts/bench_embed_vs_onnxruntime.py (same seed, same words). For each selection (`all`, each role in every layer,
and with --per-layer each layer alone) it runs `attention embed --precision P --reduced-matrices SEL` and prints the
minimum and mean cosine to the reference: the selection with the lowest minimum is the one that costs accuracy.
"""
import argparse
import json
import os
import pathlib
import sys
import subprocess

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Scripts"))
import benchmark_sentences  # noqa: E402  (the shared 512 benchmark sentences)
parser = argparse.ArgumentParser()
parser.add_argument("--precision", default="int8")
parser.add_argument("--per-layer", action="store_true")
parser.add_argument("--binary", default=None, help="the attention executable (default .build/release/attention)")
parser.add_argument("--selections", default=None, help="comma-free list separated by ';' (overrides the default set)")
args = parser.parse_args()
os.environ["HF_HUB_OFFLINE"] = "1"
from sentence_transformers import SentenceTransformer  # noqa: E402

model_dir = subprocess.run([str(ROOT / "Scripts/fetch-minilm.sh")], check=True, capture_output=True, text=True).stdout.strip()
binary = pathlib.Path(args.binary) if args.binary else ROOT / ".build/release/attention"
fixture = json.loads((ROOT / "Tests/AttentionModelsTests/Fixtures/embeddings.json").read_text())
texts20 = [c["text"] for c in fixture["cases"]]
ref20 = np.array([c["embedding"] for c in fixture["cases"]], dtype=np.float64)
lines = benchmark_sentences.lines(512)
ref512 = SentenceTransformer(model_dir, device="cpu").encode(lines, batch_size=32, convert_to_numpy=True).astype(np.float64)


def embed(sentences, extra):
    # As TEXT arguments: the fixture has an empty sentence, which --file would skip as a blank line.
    out = subprocess.run([str(binary), "embed", "--model", model_dir, "--json", *extra, "--", *sentences],
                         check=True, capture_output=True, text=True).stdout
    return np.array(json.loads(out)["embeddings"], dtype=np.float64)


def cosines(a, b):
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


roles = ["query", "key", "value", "attention-output", "intermediate", "output"]
selections = [None, "all"] + roles + ([str(layer) for layer in range(6)] if args.per_layer else [])
if args.selections:
    selections = args.selections.split(";")
print(f"| {args.precision} matrices | min cos (20 fixture) | min cos (512) | mean cos (512) |")
print("|---|---|---|---|")
for sel in selections:
    extra = [] if sel is None else ["--precision", args.precision, "--reduced-matrices", sel]
    c20, c512 = cosines(embed(texts20, extra), ref20), cosines(embed(lines, extra), ref512)
    print(f"| {sel or 'none (fp32)'} | {c20.min():.6f} | {c512.min():.6f} | {c512.mean():.6f} |", flush=True)

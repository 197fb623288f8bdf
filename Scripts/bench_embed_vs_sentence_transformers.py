#!/usr/bin/env python3
"""512 sentences embedded from a file: the whole `attention embed` process (model load included) against
sentence-transformers' `encode` on the same threads, in one run; also checks that the vectors agree.

    swift build -c release && Scripts/fetch-minilm.sh && python3 Scripts/bench_embed_vs_sentence_transformers.py [--threads 2]

Needs: pip install sentence-transformers. OPENBLAS_CORETYPE is unset for the Python side (this sandbox sets it to
Haswell, which slows OpenBLAS down).
"""
import argparse
import json
import os
import pathlib
import sys
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Scripts"))
import benchmark_sentences  # noqa: E402  (the shared 512 benchmark sentences)
parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--sentences", type=int, default=512)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--min-words", type=int, default=5)
parser.add_argument("--max-words", type=int, default=40)
parser.add_argument("--binary", default=None, help="the attention executable (default .build/release/attention)")
args = parser.parse_args()
os.environ.pop("OPENBLAS_CORETYPE", None)
os.environ["HF_HUB_OFFLINE"] = "1"

model_dir = subprocess.run([str(ROOT / "Scripts/fetch-minilm.sh")], check=True, capture_output=True, text=True).stdout.strip()
binary = pathlib.Path(args.binary) if args.binary else ROOT / ".build/release/attention"
lines = benchmark_sentences.lines(args.sentences, args.min_words, args.max_words)
corpus = pathlib.Path(tempfile.mkdtemp()) / "sentences.txt"
corpus.write_text("\n".join(lines) + "\n")

ours_times = []
for _ in range(args.repeats):
    env = dict(os.environ, ATTENTION_NUM_THREADS=str(args.threads))
    t = time.perf_counter()
    out = subprocess.run([str(binary), "embed", "--model", model_dir, "--file", str(corpus), "--json"],
                         check=True, capture_output=True, text=True, env=env).stdout
    ours_times.append(time.perf_counter() - t)
ours = json.loads(out)["embeddings"]

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

torch.set_num_threads(args.threads)
t = time.perf_counter()
model = SentenceTransformer(model_dir, device="cpu")
load = time.perf_counter() - t
st_times = []
for _ in range(args.repeats):
    t = time.perf_counter()
    ref = model.encode(lines, batch_size=32)
    st_times.append(time.perf_counter() - t)

a, b = np.array(ours), np.array(ref)
cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
o, s = min(ours_times), min(st_times)
print(f"{args.sentences} sentences of {args.min_words}-{args.max_words} words, {args.threads} thread(s), best of {args.repeats}")
print(f"| ours: whole `attention embed` process (load + tokenize + encode) | {o:.2f} s |")
print(f"| sentence-transformers: `encode` only (model already loaded; load took {load:.2f} s) | {s:.2f} s |")
print(f"| ratio (theirs / ours) | {s / o:.2f}x |")
print(f"min cosine similarity ours vs theirs: {cos.min():.8f}")

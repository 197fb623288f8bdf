#!/usr/bin/env python3
"""512 sentences embedded from a file: the whole `attention embed` process (model load included) against ONNX Runtime
running the same BERT exported from the model folder, same threads, alternating runs; checks that the vectors agree.

    swift build -c release && Scripts/fetch-minilm.sh && python3 Scripts/bench_embed_vs_onnxruntime.py [--threads 2] [--int8]

Needs: pip install onnxruntime onnx transformers torch. The model folder's BERT is exported with `torch.onnx.export`
(mean pooling over the attention mask and L2 normalisation inside the graph, so ONNX Runtime computes the whole
embedding); ONNX Runtime runs with every graph optimisation on (ORT_ENABLE_ALL), `intra_op_num_threads` = --threads,
one inter-op thread, sentences sorted by length and batched by 32 as sentence-transformers does, tokenised by the
model folder's fast tokenizer (tokenisation is inside ONNX Runtime's timed part; its session creation is not, and is
reported on its own). With --int8 it also times ONNX Runtime's dynamic int8 quantisation of the same graph
(`quantize_dynamic`, weights QInt8) and reports its drift from fp32. OPENBLAS_CORETYPE is unset for the Python side.
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
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--int8", action="store_true", help="also time ONNX Runtime's dynamic int8 quantisation")
parser.add_argument("--precisions", default="fp32",
                    help="comma-separated `attention embed --precision` values to time, e.g. fp32,int8,bf16 (issue 13)")
parser.add_argument("--binary", default=None, help="the attention executable (default .build/release/attention)")
args = parser.parse_args()
os.environ.pop("OPENBLAS_CORETYPE", None)
os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

model_dir = subprocess.run([str(ROOT / "Scripts/fetch-minilm.sh")], check=True, capture_output=True, text=True).stdout.strip()
binary = pathlib.Path(args.binary) if args.binary else ROOT / ".build/release/attention"
# The sentences of Scripts/bench_embed_vs_sentence_transformers.py (same seed, same words).
lines = benchmark_sentences.lines(args.sentences, args.min_words, args.max_words)
work = pathlib.Path(tempfile.mkdtemp())
corpus = work / "sentences.txt"
corpus.write_text("\n".join(lines) + "\n")


class Embedder(torch.nn.Module):
    """BERT → mean over the attention mask → L2 normalisation: what sentence-transformers' all-MiniLM-L6-v2 computes."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        states = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, p=2, dim=1)


torch.set_num_threads(args.threads)
tokenizer = AutoTokenizer.from_pretrained(model_dir)
bert = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
fp32_path = work / "model.onnx"
sample = tokenizer(["a short example", "a slightly longer example sentence"], padding=True, return_tensors="pt")
with torch.no_grad():
    torch.onnx.export(Embedder(bert), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
                      str(fp32_path), input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["embedding"], opset_version=17, dynamo=False,
                      dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "token_type_ids"]}
                      | {"embedding": {0: "batch"}})
models = {"fp32": fp32_path}
if args.int8:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    models["int8"] = work / "model-int8.onnx"
    quantize_dynamic(str(fp32_path), str(models["int8"]), weight_type=QuantType.QInt8)


def session(path):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    t = time.perf_counter()
    s = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return s, time.perf_counter() - t


sessions = {name: session(path) for name, path in models.items()}
order = sorted(range(len(lines)), key=lambda i: -len(lines[i]))


def ort_embed(s):
    out = np.zeros((len(lines), 384), dtype=np.float32)
    for start in range(0, len(order), args.batch_size):
        idx = order[start:start + args.batch_size]
        enc = tokenizer([lines[i] for i in idx], padding=True, truncation=True, max_length=256, return_tensors="np")
        feed = {k: enc[k].astype(np.int64) for k in ["input_ids", "attention_mask", "token_type_ids"]}
        out[idx] = s.run(None, feed)[0]
    return out


precisions = args.precisions.split(",")
ours_names = ["ours" if p == "fp32" else f"ours-{p}" for p in precisions]
times = {**{n: [] for n in ours_names}, **{name: [] for name in sessions}}
results = {}
loads = []
for _ in range(args.repeats):
    env = dict(os.environ, ATTENTION_NUM_THREADS=str(args.threads))
    loads.append(os.getloadavg()[0])
    for p, n in zip(precisions, ours_names):
        t = time.perf_counter()
        extra = [] if p == "fp32" else ["--precision", p]
        out = subprocess.run([str(binary), "embed", "--model", model_dir, "--file", str(corpus), "--json", *extra],
                             check=True, capture_output=True, text=True, env=env).stdout
        times[n].append(time.perf_counter() - t)
        results[n] = np.array(json.loads(out)["embeddings"], dtype=np.float64)
    for name, (s, _) in sessions.items():
        t = time.perf_counter()
        results[name] = ort_embed(s).astype(np.float64)
        times[name].append(time.perf_counter() - t)


def min_cosine(a, b):
    return float(((a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)).min())


o, f = min(times[ours_names[0]]), min(times["fp32"])
print(f"{args.sentences} sentences of {args.min_words}-{args.max_words} words, {args.threads} thread(s), best of {args.repeats}, "
      f"onnxruntime {ort.__version__}, torch {torch.__version__}")
print(f"| ours: whole `attention embed` process (load + tokenize + encode) | {o:.2f} s |")
print(f"| ONNX Runtime fp32: tokenize + run (session made in {sessions['fp32'][1]:.2f} s, not counted) | {f:.2f} s |")
print(f"| ratio (ONNX Runtime fp32 / ours) | {f / o:.2f}x |")
if "int8" in sessions:
    q = min(times["int8"])
    print(f"| ONNX Runtime int8 (quantize_dynamic, QInt8 weights) | {q:.2f} s |")
    print(f"| ratio (ONNX Runtime int8 / ours) | {q / o:.2f}x |")
    print(f"min cosine ONNX Runtime int8 vs fp32: {min_cosine(results['int8'], results['fp32']):.6f}")
print(f"min cosine ours vs ONNX Runtime fp32: {min_cosine(results[ours_names[0]], results['fp32']):.8f}")
for n in ours_names[1:]:
    r = min(times[n])
    line = f"| {n}: whole process | {r:.2f} s | {o / r:.2f}x our {precisions[0]} | {f / r:.2f}x ONNX Runtime fp32"
    if "int8" in sessions:
        line += f" | {min(times['int8']) / r:.2f}x ONNX Runtime int8"
    print(line + f" | min cosine vs ONNX Runtime fp32 {min_cosine(results[n], results['fp32']):.6f} |")
print("all times (s):", {k: [round(x, 2) for x in v] for k, v in times.items()})
print(f"1-minute load average before each round: {[round(x, 1) for x in loads]}")

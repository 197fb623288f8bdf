#!/usr/bin/env python3
"""One Transformer encoder layer, ours (`attention bench encoder-layer`) against PyTorch's nn.TransformerEncoderLayer
(post-norm, GELU, dropout 0, batch_first) in one run, inference and forward + backward, alternating rounds.

    swift build -c release && python3 Scripts/bench_layer_vs_pytorch.py [--threads 1] [--rounds 3] [--markdown]

GFLOP/s count the matrix products only (see `attention bench encoder-layer --help`). OPENBLAS_CORETYPE is unset for
PyTorch (this sandbox sets it to Haswell). Each side reports its median over 10 timed runs after a warm-up; the table
shows the median over rounds.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--markdown", action="store_true")
parser.add_argument("--binary", default=str(ROOT / ".build/release/attention"))
args = parser.parse_args()
os.environ.pop("OPENBLAS_CORETYPE", None)

import torch  # noqa: E402

torch.set_num_threads(args.threads)
configs = [(8, 128, 256, 8, 1024), (4, 512, 384, 12, 1536)]


def ours(b, l, d, h, f, backward):
    cmd = [args.binary, "bench", "encoder-layer", "--batch", str(b), "--seq", str(l), "--dim", str(d), "--heads", str(h),
           "--feed-forward", str(f), "--threads", str(args.threads), "--iterations", "10", "--json"] + (["--backward"] if backward else [])
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)["median_ms"]


def theirs(b, l, d, h, f, backward):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d, h, f, dropout=0.0, activation="gelu", batch_first=True)
    x = torch.randn(b, l, d, requires_grad=backward)
    g = torch.randn(b, l, d)
    if not backward:
        layer.eval()

    def step():
        if backward:
            layer.zero_grad(set_to_none=True)
            x.grad = None
            (layer(x) * g).sum().backward()
        else:
            with torch.inference_mode():
                layer(x)

    step()
    samples = []
    for _ in range(10):
        t = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t) * 1e3)
    return statistics.median(samples)


rows = []
for (b, l, d, h, f) in configs:
    for backward in (False, True):
        o, t = [], []
        for _ in range(args.rounds):
            o.append(ours(b, l, d, h, f, backward))
            t.append(theirs(b, l, d, h, f, backward))
        om, tm = statistics.median(o), statistics.median(t)
        fwd = 2 * b * l * (4 * d * d + 2 * d * f) + 4 * b * l * l * d
        flops = fwd * (3 if backward else 1)
        rows.append((f"B{b} L{l} D{d} H{h} F{f} {'fwd+bwd' if backward else 'inference'}", om, tm, tm / om,
                     flops / om / 1e6, flops / tm / 1e6))
head = f"| encoder layer (fp32, {args.threads} thread(s)) | ours ms | PyTorch ms | PyTorch / ours | ours GFLOP/s | PyTorch GFLOP/s |"
print(head if args.markdown else head.replace("|", " "))
if args.markdown:
    print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r[0]} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f}× | {r[4]:.1f} | {r[5]:.1f} |")

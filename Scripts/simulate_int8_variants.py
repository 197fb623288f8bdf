#!/usr/bin/env python3
"""Which int8 variant to ship, decided from measured error: a PyTorch simulation of our int8 linear layers.

    python3 Scripts/simulate_int8_variants.py [--big] [--variants "NAME;NAME..."]

It patches the six linear layers of every BERT layer of sentence-transformers' all-MiniLM-L6-v2 with the arithmetic
of Tensor.quantizedLinear (weights symmetric per output channel, activations symmetric per token, round half to
even, [-127, 127]; optional SmoothQuant factors s = amax^α / wmax^(1-α); optional outlier split: the input channels
whose calibrated max |x| exceeds a threshold are zeroed in both int8 operands and multiplied in float instead) and
prints, per variant, the number of channels split off, the minimum cosine to the sentence-transformers fp32
embeddings of the 20 fixture sentences (Tests/AttentionModelsTests/Fixtures/embeddings.json), and with --big the
minimum and mean over the 512 benchmark sentences of Scripts/bench_embed_vs_onnxruntime.py, plus how many of the 19
`search` queries reorder their top 5 (and change its set). Calibration: the sentences of
Sources/AttentionModels/CalibrationText.swift, one at a time, as BertModel.setPrecision does. The int8 products run in
float32 here (their integer sums are below 2^24 for these inputs), so the figures track the Swift binary to ~1e-4;
the shipped configuration is then measured on the binary itself with Scripts/measure_int8_layers.py.
"""
import argparse
import json
import os
import pathlib
import sys
import re
import subprocess

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Scripts"))
import benchmark_sentences  # noqa: E402  (the shared 512 benchmark sentences)
parser = argparse.ArgumentParser()
parser.add_argument("--big", action="store_true", help="also the 512 benchmark sentences (slower)")
parser.add_argument("--variants", default=None, help="names from the table below, separated by ';' (default: all)")
args = parser.parse_args()
os.environ["HF_HUB_OFFLINE"] = "1"
from sentence_transformers import SentenceTransformer  # noqa: E402

torch.set_num_threads(2)
model_dir = subprocess.run([str(ROOT / "Scripts/fetch-minilm.sh")], check=True, capture_output=True, text=True).stdout.strip()
st = SentenceTransformer(model_dir, device="cpu")
bert = st[0].auto_model
fixture = json.loads((ROOT / "Tests/AttentionModelsTests/Fixtures/embeddings.json").read_text())
texts20 = [c["text"] for c in fixture["cases"]]
ref20 = np.array([c["embedding"] for c in fixture["cases"]], dtype=np.float64)
lines = benchmark_sentences.lines(512)

# The Swift string literals of CalibrationText (a literal followed by `+` continues on the next line).
source = (ROOT / "Sources/AttentionModels/CalibrationText.swift").read_text()
body = source[source.index("["):source.rindex("]")]
calibration, pending = [], ""
for text, plus in re.findall(r'"((?:[^"\\]|\\.)*)"(\s*\+)?', body):
    pending += text.replace("\\'", "'")
    if not plus:
        calibration.append(pending)
        pending = ""

roles = {"query": lambda L: L.attention.self.query, "key": lambda L: L.attention.self.key,
         "value": lambda L: L.attention.self.value, "attention-output": lambda L: L.attention.output.dense,
         "intermediate": lambda L: L.intermediate.dense, "output": lambda L: L.output.dense}
linears = {(l, r): f(layer) for l, layer in enumerate(bert.encoder.layer) for r, f in roles.items()}
original = {k: m.forward for k, m in linears.items()}

amax = {}


def recorder(key):
    def hook(_module, inputs):
        x = inputs[0].detach().reshape(-1, inputs[0].shape[-1]).abs().amax(0)
        amax[key] = torch.maximum(amax[key], x) if key in amax else x
    return hook


hooks = [m.register_forward_pre_hook(recorder(k)) for k, m in linears.items()]
with torch.no_grad():
    for sentence in calibration:
        bert(**st.tokenize([sentence]))
for h in hooks:
    h.remove()


def quantize_rows(x):
    m = x.abs().amax(-1, keepdim=True)
    safe = torch.where(m > 0, m, torch.ones_like(m))
    return torch.round(x * (127 / safe)).clamp(-127, 127), m / 127  # torch.round rounds half to even


def quantize_blocks(x, block):
    """Symmetric int8 with one scale per `block` consecutive channels of each row: ([..., K/block, block], scales)."""
    xb = x.reshape(*x.shape[:-1], x.shape[-1] // block, block)
    m = xb.abs().amax(-1, keepdim=True)
    safe = torch.where(m > 0, m, torch.ones_like(m))
    return torch.round(xb * (127 / safe)).clamp(-127, 127), m / 127


def int8_block_forward(module, block):
    """Block-wise int8 (as Q8_0 x Q8_0): activations and weights each with one scale per `block` input channels;
    the int32 block sums are scaled in float and added over the blocks. No smoothing, no split."""
    qw, sw = quantize_blocks(module.weight.detach().float(), block)  # [N, nb, block], [N, nb, 1]
    bias = module.bias.detach()

    def forward(x):
        qx, sx = quantize_blocks(x, block)  # [..., nb, block], [..., nb, 1]
        sums = torch.einsum("...bk,nbk->...nb", qx, qw)
        return (sums * sx.squeeze(-1).unsqueeze(-2) * sw.squeeze(-1)).sum(-1) + bias
    return forward, 0


def int8_forward(key, module, alpha=None, threshold=None, block=None):
    if block is not None:
        return int8_block_forward(module, block)
    w = module.weight.detach().double()
    a = amax[key].double()
    s = torch.ones(w.shape[1], dtype=torch.float64)
    if alpha is not None:
        s = a.clamp_min(1e-5) ** alpha / w.abs().amax(0).clamp_min(1e-5) ** (1 - alpha)
    split = a > threshold if threshold is not None else torch.zeros(w.shape[1], dtype=torch.bool)
    ws = w * s
    ws[:, split] = 0
    scale = ws.abs().amax(1, keepdim=True) / 127
    q = torch.round(ws / torch.where(scale > 0, scale, torch.ones_like(scale))).clamp(-127, 127).float()
    scale, w_split = scale.float().T, w[:, split].float()
    mul = (1 / s).float()
    mul[split] = 0
    bias = module.bias.detach()

    def forward(x):
        qx, sx = quantize_rows(x * mul)
        y = (qx @ q.T) * sx * scale
        if split.any():
            y = y + x[..., split] @ w_split.T
        return y + bias
    return forward, int(split.sum())


def configure(sites):
    count = 0
    for key, module in linears.items():
        module.forward = original[key]
        if key in sites:
            module.forward, n = int8_forward(key, module, **sites[key])
            count += n
    return count


def cosines(a, b):
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def top5(v, q):
    s = v @ v[q]
    return list(np.lexsort((np.arange(len(s)), -s))[:5])


def search_changes(e):
    keep = [i for i, t in enumerate(texts20) if t]
    a = ref20[keep] / np.linalg.norm(ref20[keep], axis=1, keepdims=True)
    b = e[keep] / np.linalg.norm(e[keep], axis=1, keepdims=True)
    return (sum(top5(a, q) != top5(b, q) for q in range(len(a))),
            sum(set(top5(a, q)) != set(top5(b, q)) for q in range(len(a))))


def every(roles_, **cfg):
    return {(l, r): cfg for l in range(6) for r in roles_}


ALL = list(roles)
NO_OUT = [r for r in ALL if r != "output"]
variants = {
    "all, no smoothing": every(ALL),
    "all but output, a=.5 (before outliers)": every(NO_OUT, alpha=0.5),
    "all but output, split >6": every(NO_OUT, threshold=6.0),
    "all but output, a=.5 + split >6 (shipped)": every(NO_OUT, alpha=0.5, threshold=6.0),
    "all but output, a=.4 + split >6": every(NO_OUT, alpha=0.4, threshold=6.0),
    "all but output, a=.6 + split >6": every(NO_OUT, alpha=0.6, threshold=6.0),
    "all but output, a=.5 + split >4": every(NO_OUT, alpha=0.5, threshold=4.0),
    "all but output, a=.5 + split >3": every(NO_OUT, alpha=0.5, threshold=3.0),
    "all but output, a=.5 + split >2": every(NO_OUT, alpha=0.5, threshold=2.0),
    "all, a=.5 + split >6, output split >6": {**every(NO_OUT, alpha=0.5, threshold=6.0), **every(["output"], threshold=6.0)},
    "all, a=.5 + split >6, output split >3": {**every(NO_OUT, alpha=0.5, threshold=6.0), **every(["output"], threshold=3.0)},
    "output alone, a=.5": every(["output"], alpha=0.5),
    "output alone, split >6": every(["output"], threshold=6.0),
    "output alone, split >3": every(["output"], threshold=3.0),
    "output alone, split >2": every(["output"], threshold=2.0),
    "intermediate alone, a=.5": every(["intermediate"], alpha=0.5),
    "intermediate alone, split >6": every(["intermediate"], threshold=6.0),
    "intermediate alone, a=.5 + split >6": every(["intermediate"], alpha=0.5, threshold=6.0),
    "all but output, blocks of 32": every(NO_OUT, block=32),
    "all six, blocks of 32": every(ALL, block=32),
    "all but output, blocks of 64": every(NO_OUT, block=64),
    "all six, blocks of 64": every(ALL, block=64),
    "all six, blocks of 128": every(ALL, block=128),
}
chosen = args.variants.split(";") if args.variants else list(variants)
configure({})
ref512 = st.encode(lines, batch_size=32, convert_to_numpy=True).astype(np.float64) if args.big else None
print("| int8 variant | channels in fp32 | min cos (20) | min cos (512) | mean cos (512) | search: reordered / set changed (of 19) |")
print("|---|---:|---:|---:|---:|---:|")
with torch.no_grad():
    for name in chosen:
        n = configure(variants[name])
        e20 = st.encode(texts20, batch_size=32, convert_to_numpy=True).astype(np.float64)
        big = ""
        if args.big:
            c = cosines(st.encode(lines, batch_size=32, convert_to_numpy=True).astype(np.float64), ref512)
            big = f"{c.min():.6f} | {c.mean():.6f}"
        else:
            big = " | "
        reordered, changed = search_changes(e20)
        print(f"| {name} | {n} | {cosines(e20, ref20).min():.6f} | {big} | {reordered} / {changed} |", flush=True)
configure({})

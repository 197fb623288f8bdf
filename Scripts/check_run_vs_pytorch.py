#!/usr/bin/env python3
"""Conformance check of `attention run` against PyTorch: fresh random cases (seeded, different every --seed),
run through the release binary, compared with PyTorch float32 at atol 1e-4 / rtol 1e-3 (the issue's bar),
gradients included for sdpa.

    swift build -c release && python3 Scripts/check_run_vs_pytorch.py [--binary .build/release/attention] [--seed N]

Shapes follow the issue: L/S such as (1, 239), (127, 513), (113, 203); head dims 8–128 including 21 and 59; 9 heads;
GQA (enable_gqa); boolean and float masks including a fully-masked row; kdim/vdim; add_bias_kv; add_zero_attn;
both norm placements; GELU and ReLU. Fully-masked query rows are compared with 0 (the project's policy; PyTorch
gives NaN there with weights, and the output bias in MultiheadAttention without weights). The script also reports
each case's error against a float64 PyTorch run, to show which side of a difference is closer to exact.
Exit status 0 when every case passes.
"""
import argparse
import math
import os
import random
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

ATOL, RTOL = 1e-4, 1e-3
LS = [(1, 239), (127, 513), (113, 203), (64, 64), (17, 5), (33, 33)]
HEAD_DIMS = [8, 16, 21, 32, 59, 64, 128]


def meta(d):
    return {k: (("true" if v else "false") if isinstance(v, bool) else str(v)) for k, v in d.items()}


class Checker:
    def __init__(self, binary, workdir):
        self.binary, self.dir, self.results, self.count = binary, workdir, [], 0

    def run(self, op, inputs, options, weights=None):
        self.count += 1
        base = os.path.join(self.dir, f"case{self.count}")
        save_file({k: v.contiguous() for k, v in inputs.items()}, base + ".in.safetensors", metadata=meta(options))
        cmd = [self.binary, "run", op, "--input", base + ".in.safetensors", "--output", base + ".out.safetensors"]
        if weights is not None:
            save_file({k: v.detach().contiguous() for k, v in weights.items()}, base + ".w.safetensors")
            cmd += ["--weights", base + ".w.safetensors"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"attention run {op} failed ({p.returncode}): {p.stderr.strip()}")
        return load_file(base + ".out.safetensors")

    def compare(self, op, name, got, expected, exact=None):
        """Max |got − expected| and the worst ratio |Δ| / (atol + rtol·|expected|) (≤ 1 passes)."""
        expected = torch.nan_to_num(expected.double(), nan=0.0)
        got = got.double()
        if got.shape != expected.shape:
            self.results.append((op, name, float("inf"), float("inf"), float("nan"), f"shape {list(got.shape)} vs {list(expected.shape)}"))
            return
        diff = (got - expected).abs()
        ratio = (diff / (ATOL + RTOL * expected.abs())).max().item() if diff.numel() else 0.0
        exact_err = (got - exact.double()).abs().max().item() if exact is not None and diff.numel() else float("nan")
        self.results.append((op, name, diff.max().item() if diff.numel() else 0.0, ratio, exact_err, ""))


def rand(*shape, dtype=torch.float32):
    return torch.randn(*shape, dtype=dtype)


# --------------------------------------------------------------------------------------------------------- sdpa
def check_sdpa(c, rng):
    b, (l, s) = rng.choice([1, 2]), rng.choice(LS)
    h = rng.choice([1, 2, 4, 9, 9])
    hkv = rng.choice([d for d in range(1, h + 1) if h % d == 0])
    e, ev = rng.choice(HEAD_DIMS), rng.choice(HEAD_DIMS)
    q, k, v = rand(b, h, l, e), rand(b, hkv, s, e), rand(b, hkv, s, ev)
    kind = rng.choice(["none", "causal", "bool", "bool4", "float"])
    mask, causal = None, kind == "causal"
    if kind == "bool":
        mask = torch.rand(l, s) > 0.3
        mask[rng.randrange(l), :] = False                                  # a fully-masked row
    elif kind == "bool4":
        mask = torch.rand(b, 1, l, s) > 0.5
    elif kind == "float":
        mask = rand(b, h, l, s)
        mask[0, 0, rng.randrange(l), :] = float("-inf")
    scale = rng.choice([None, None, 0.37])
    need_weights = rng.random() < 0.5
    gqa = hkv != h
    grad = rand(b, h, l, ev)

    def reference(dtype):
        qq, kk, vv = (x.detach().to(dtype).clone().requires_grad_() for x in (q, k, v))
        m = mask.to(dtype) if mask is not None and mask.dtype != torch.bool else mask
        out = F.scaled_dot_product_attention(qq, kk, vv, attn_mask=m, is_causal=causal, scale=scale, enable_gqa=gqa)
        kr = kk.detach().repeat_interleave(h // hkv, dim=1)
        scores = qq.detach() @ kr.transpose(-1, -2) * (scale if scale is not None else e ** -0.5)
        if causal:
            scores = scores.masked_fill(~torch.ones(l, s, dtype=torch.bool).tril(), float("-inf"))
        if m is not None:
            scores = scores.masked_fill(~m, float("-inf")) if m.dtype == torch.bool else scores + m
        w = torch.nan_to_num(torch.softmax(scores, -1), nan=0.0)
        dead = w.sum(-1, keepdim=True) == 0
        out = torch.where(dead, 0.0, out)
        out.backward(grad.to(dtype))
        grads = [torch.where(torch.isnan(x.grad), 0.0, x.grad) for x in (qq, kk, vv)]
        return out.detach(), w, grads

    out32, w32, g32 = reference(torch.float32)
    out64, w64, g64 = reference(torch.float64)
    inputs = {"query": q, "key": k, "value": v, "grad_output": grad}
    if mask is not None:
        inputs["attn_mask"] = mask
    opts = {"is_causal": causal, "enable_gqa": gqa, "need_weights": need_weights}
    if scale is not None:
        opts["scale"] = scale
    got = c.run("sdpa", inputs, opts)
    tag = f"sdpa B{b} H{h}/{hkv} L{l} S{s} E{e} Ev{ev} {kind}"
    c.compare("sdpa", tag + " output", got["output"], out32, out64)
    if need_weights:
        c.compare("sdpa", tag + " weights", got["weights"], w32, w64)
    for name, a, x in zip(["grad_query", "grad_key", "grad_value"], g32, g64):
        c.compare("sdpa", f"{tag} {name}", got[name], a, x)


# ---------------------------------------------------------------------------------------------------------- mha
def randomize(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            fan = p.shape[-1] if p.dim() > 1 else 4
            p.copy_(torch.randn(p.shape, generator=g) * ((1.0 / fan) ** 0.5 if p.dim() > 1 else 0.3))


def check_mha(c, rng):
    n, (l, s) = rng.choice([1, 2]), rng.choice(LS)
    heads, hd = rng.choice([1, 2, 4, 9, 9]), rng.choice(HEAD_DIMS)
    e = heads * hd
    kdim, vdim = (e, e) if rng.random() < 0.5 else (rng.choice([e, 5, 33, 96]), rng.choice([e, 7, 40]))
    bias, bias_kv, zero_attn = rng.random() < 0.8, rng.random() < 0.4, rng.random() < 0.4
    need_weights, average = rng.random() < 0.6, rng.random() < 0.5
    m = torch.nn.MultiheadAttention(e, heads, bias=bias, add_bias_kv=bias_kv, add_zero_attn=zero_attn, kdim=kdim, vdim=vdim,
                                    batch_first=True)
    randomize(m, rng.randrange(1 << 30))
    m.eval()
    q, k, v = rand(n, l, e), rand(n, s, kdim), rand(n, s, vdim)
    kpm = attn = None
    is_causal = False
    kind = rng.choice(["none", "padding", "bool2d", "bool3d", "float", "causal"])
    if kind == "padding":
        kpm = torch.rand(n, s) < 0.3
        if n > 1 and rng.random() < 0.5:
            kpm[1, :] = True                                               # a fully padded sequence
    elif kind == "bool2d":
        attn = torch.rand(l, s) < 0.3
        attn[rng.randrange(l), :] = True                                   # a fully-masked row
    elif kind == "bool3d":
        attn = torch.rand(n * heads, l, s) < 0.3
    elif kind == "float":
        attn = rand(l, s)
        attn[rng.randrange(l), :] = float("-inf")
        if rng.random() < 0.5:
            kpm = torch.rand(n, s) < 0.2
    else:
        attn, is_causal = torch.ones(l, s, dtype=torch.bool).triu(1), True
    args = dict(key_padding_mask=kpm, attn_mask=attn, is_causal=is_causal)

    def reference(dtype):
        mm = m.to(dtype)
        a = attn.to(dtype) if attn is not None and attn.dtype != torch.bool else attn
        with torch.no_grad():
            _, w = mm(q.to(dtype), k.to(dtype), v.to(dtype), need_weights=True, average_attn_weights=False,
                      key_padding_mask=kpm, attn_mask=a, is_causal=is_causal)
            out, wr = mm(q.to(dtype), k.to(dtype), v.to(dtype), need_weights=need_weights, average_attn_weights=average,
                         key_padding_mask=kpm, attn_mask=a, is_causal=is_causal)
        dead = torch.isnan(w).any(-1).all(1)                               # [N, L]: no head sees any key
        out = torch.where(dead.unsqueeze(-1), 0.0, out)
        return out, wr

    out32, w32 = reference(torch.float32)
    out64, w64 = reference(torch.float64)
    m.to(torch.float32)
    inputs = {"query": q, "key": k, "value": v}
    if kpm is not None:
        inputs["key_padding_mask"] = kpm
    if attn is not None:
        inputs["attn_mask"] = attn
    opts = {"num_heads": heads, "add_zero_attn": zero_attn, "need_weights": need_weights,
            "average_attn_weights": average, "is_causal": is_causal}
    got = c.run("mha", inputs, opts, weights=m.state_dict())
    tag = (f"mha N{n} L{l} S{s} E{e}={heads}x{hd} kdim{kdim} vdim{vdim}{'' if bias else ' nobias'}"
           f"{' bias_kv' if bias_kv else ''}{' zero_attn' if zero_attn else ''} {kind}")
    c.compare("mha", tag + " output", got["output"], out32, out64)
    if need_weights:
        c.compare("mha", tag + (" weights(avg)" if average else " weights"), got["weights"], w32, w64)


# ------------------------------------------------------------------------------------------------------- layers
def check_layer(c, rng, decoder):
    n, (l, s) = rng.choice([1, 2]), rng.choice(LS)
    nhead, hd = rng.choice([1, 2, 3, 9]), rng.choice(HEAD_DIMS)
    d = nhead * hd
    ff = rng.choice([16, 64, 2048, 3 * d])
    activation, norm_first, eps = rng.choice(["relu", "gelu"]), rng.random() < 0.5, rng.choice([1e-5, 1e-6])
    cls = torch.nn.TransformerDecoderLayer if decoder else torch.nn.TransformerEncoderLayer
    layer = cls(d, nhead, ff, dropout=0.0, activation=activation, layer_norm_eps=eps, batch_first=True, norm_first=norm_first)
    randomize(layer, rng.randrange(1 << 30))
    layer.eval()
    opts = {"nhead": nhead, "activation": activation, "norm_first": norm_first, "layer_norm_eps": eps}
    if not decoder:
        src = rand(n, l, d)
        kpm = (torch.rand(n, l) < 0.25) if rng.random() < 0.5 else None
        if kpm is not None:
            kpm[:, 0] = False                                              # keep every sequence non-empty
        src_mask = (torch.rand(l, l) < 0.2).fill_diagonal_(False) if rng.random() < 0.3 else None

        def reference(dtype):
            with torch.no_grad():
                return layer.to(dtype)(src.to(dtype), src_mask=src_mask, src_key_padding_mask=kpm)
        inputs = {"src": src}
        if kpm is not None:
            inputs["src_key_padding_mask"] = kpm
        if src_mask is not None:
            inputs["src_mask"] = src_mask
        tag = f"encoder N{n} L{l} d{d}={nhead}x{hd} ff{ff} {activation} {'pre' if norm_first else 'post'}-norm" \
              f"{' padding' if kpm is not None else ''}{' mask' if src_mask is not None else ''}"
    else:
        tgt, memory = rand(n, l, d), rand(n, s, d)
        causal = rng.random() < 0.6
        tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(l) if causal else None
        mkpm = (torch.rand(n, s) < 0.25) if rng.random() < 0.5 else None
        if mkpm is not None:
            mkpm[:, 0] = False

        def reference(dtype):
            with torch.no_grad():
                tm = tgt_mask.to(dtype) if tgt_mask is not None else None
                return layer.to(dtype)(tgt.to(dtype), memory.to(dtype), tgt_mask=tm, memory_key_padding_mask=mkpm,
                                       tgt_is_causal=causal)
        inputs = {"tgt": tgt, "memory": memory}
        if causal:
            inputs["tgt_mask"] = tgt_mask
            opts["tgt_is_causal"] = True
        if mkpm is not None:
            inputs["memory_key_padding_mask"] = mkpm
        tag = f"decoder N{n} L{l} S{s} d{d}={nhead}x{hd} ff{ff} {activation} {'pre' if norm_first else 'post'}-norm" \
              f"{' causal' if causal else ''}{' memory-padding' if mkpm is not None else ''}"
    out64 = reference(torch.float64)
    out32 = reference(torch.float32)
    got = c.run("decoder-layer" if decoder else "encoder-layer", inputs, opts, weights=layer.state_dict())
    c.compare("decoder-layer" if decoder else "encoder-layer", tag + " output", got["output"], out32, out64)


def check_errors(binary, workdir):
    """Bad input: non-zero exit, a message on stderr, no output file."""
    failures = []
    good = os.path.join(workdir, "err.in.safetensors")
    save_file({"query": rand(1, 1, 2, 4), "key": rand(1, 1, 3, 4)}, good, metadata={"is_causal": "false"})
    for args, needle in [(["nonsense"], "unknown op"), (["sdpa"], "value"), (["mha"], "query")]:
        out = os.path.join(workdir, "err.out.safetensors")
        p = subprocess.run([binary, "run", *args, "--input", good, "--output", out], capture_output=True, text=True)
        if p.returncode == 0 or needle not in p.stderr or os.path.exists(out):
            failures.append(f"{args}: status {p.returncode}, stderr {p.stderr.strip()!r}, output exists {os.path.exists(out)}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/attention")
    ap.add_argument("--seed", type=int, default=None, help="default: a fresh seed, printed")
    ap.add_argument("--cases", type=int, default=10, help="cases per op")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 31)
    print(f"seed {seed}, binary {a.binary}, atol {ATOL}, rtol {RTOL}")
    rng = random.Random(seed)
    torch.manual_seed(seed)
    with tempfile.TemporaryDirectory() as work:
        c = Checker(os.path.abspath(a.binary), work)
        for _ in range(a.cases):
            check_sdpa(c, rng)
            check_mha(c, rng)
            check_layer(c, rng, decoder=False)
            check_layer(c, rng, decoder=True)
        errors = check_errors(os.path.abspath(a.binary), work)
    worst = {}
    failed = [r for r in c.results if not r[3] <= 1.0]
    for op, name, err, ratio, exact, note in c.results:
        w = worst.setdefault(op, [0.0, 0.0, 0.0, 0])
        w[0], w[1], w[3] = max(w[0], err), max(w[1], ratio), w[3] + 1
        if not math.isnan(exact):
            w[2] = max(w[2], exact)
    print(f"\n{'op':<15}{'compared':>9}{'max |ours − torch32|':>22}{'max ratio to tol':>18}{'max |ours − torch64|':>22}")
    for op, (err, ratio, exact, count) in worst.items():
        print(f"{op:<15}{count:>9}{err:>22.3e}{ratio:>18.3f}{exact:>22.3e}")
    for op, name, err, ratio, exact, note in failed:
        print(f"FAIL {name}: max |Δ| {err:.3e}, ratio {ratio:.3f} {note}")
    for e in errors:
        print(f"FAIL error handling {e}")
    print(f"\n{len(c.results) - len(failed)}/{len(c.results)} tensors within tolerance; error handling "
          f"{'ok' if not errors else 'FAILED'}")
    sys.exit(0 if not failed and not errors else 1)


if __name__ == "__main__":
    main()

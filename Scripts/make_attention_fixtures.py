#!/usr/bin/env python3
"""Writes Tests/AttentionTests/Fixtures/attention.json: NumPy (float64) results for the Attention module, computed
independently of the Swift code: scaled-dot-product attention with grouped-query heads and every mask kind (causal
masks built with np.tril, so both alignments are checked against a second formulation), the additive / cosine /
MLP scorers, and Nadaraya-Watson pooling.

Inputs are drawn with a fixed NumPy seed and rounded to float32, so the Swift tests feed the same values to both
the Float32 and Float64 paths; expected outputs are float64 from those rounded inputs. Rerunning this script
regenerates the committed file byte for byte.

    python3 Scripts/make_attention_fixtures.py
"""
import json
import pathlib

import numpy as np

rng = np.random.default_rng(20261122)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/AttentionTests/Fixtures/attention.json"


def arr(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32).astype(np.float64)


def t(x):
    x = np.asarray(x, dtype=np.float64)
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1)]}


def softmax_masked(e):
    """Softmax over the last axis; rows of all -inf give 0."""
    m = e.max(axis=-1, keepdims=True)
    m = np.where(np.isneginf(m), 0.0, m)
    p = np.exp(e - m)
    s = p.sum(axis=-1, keepdims=True)
    return np.where(s > 0, p / np.where(s > 0, s, 1.0), 0.0)


# Masks: the JSON spec the Swift test decodes, and the [B, H, L, S] additive bias NumPy derives from it.
def bias_of(spec, B, H, L, S):
    kind = spec["type"]
    neg = np.float64(-np.inf)
    if kind == "none":
        return np.zeros((B, H, L, S))
    if kind == "causal":
        k = 0 if spec["alignment"] == "upperLeft" else S - L
        allowed = np.tril(np.ones((L, S), dtype=bool), k=k)
        return np.broadcast_to(np.where(allowed, 0.0, neg), (B, H, L, S))
    if kind == "slidingWindow":
        k = 0 if spec["alignment"] == "upperLeft" else S - L
        allowed = np.tril(np.ones((L, S), dtype=bool), k=k + spec["right"]) & np.triu(np.ones((L, S), dtype=bool), k=k - spec["left"])
        return np.broadcast_to(np.where(allowed, 0.0, neg), (B, H, L, S))
    if kind == "keyPadding":
        allowed = np.arange(S)[None, :] < np.array(spec["lengths"])[:, None]
        return np.broadcast_to(np.where(allowed, 0.0, neg)[:, None, None, :], (B, H, L, S))
    if kind == "boolean":
        allowed = np.array(spec["values"], dtype=bool).reshape(spec["shape"])
        return np.broadcast_to(np.where(allowed, 0.0, neg), (B, H, L, S))
    if kind == "additive":
        return np.broadcast_to(np.array(spec["data"]).reshape(spec["shape"]), (B, H, L, S))
    if kind == "all":
        return sum((bias_of(m, B, H, L, S) for m in spec["masks"]), np.zeros((B, H, L, S)))
    raise ValueError(kind)


def sdpa(name, B, H, Hkv, L, S, E, Ev, mask, scale=None):
    q, k, v = arr(B, H, L, E), arr(B, Hkv, S, E), arr(B, Hkv, S, Ev)
    g = H // Hkv
    kk, vv = np.repeat(k, g, axis=1), np.repeat(v, g, axis=1)      # head h uses kv head h // g
    factor = 1 / np.sqrt(E) if scale is None else scale
    e = np.einsum("bhle,bhse->bhls", q, kk) * factor + bias_of(mask, B, H, L, S)
    w = softmax_masked(e)
    o = np.einsum("bhls,bhsv->bhlv", w, vv)
    return {"kind": "sdpa", "name": name, "mask": mask, "scale": scale,
            "q": t(q), "k": t(k), "v": t(v), "output": t(o), "weights": t(w)}


def scorer_cases():
    q, k = arr(2, 3, 4), arr(2, 5, 6)
    wa, ua, va = arr(7, 4), arr(7, 6), arr(7)
    additive = np.tanh((q @ wa.T)[:, :, None, :] + (k @ ua.T)[:, None, :, :]) @ va
    w1, b1, w2, b2 = arr(5, 10), arr(5), arr(1, 5), arr(1)
    cat = np.concatenate([np.broadcast_to(q[:, :, None, :], (2, 3, 5, 4)), np.broadcast_to(k[:, None, :, :], (2, 3, 5, 6))], axis=-1)
    mlp = (np.maximum(cat @ w1.T + b1, 0) @ w2.T)[..., 0] + b2[0]
    qc, kc = arr(2, 3, 4), arr(2, 5, 4)
    cosine = np.einsum("ble,bse->bls", qc, kc) / (np.linalg.norm(qc, axis=-1)[:, :, None] * np.linalg.norm(kc, axis=-1)[:, None, :]) / 0.5
    return [
        {"kind": "score", "name": "additive", "q": t(q), "k": t(k), "params": {"queryWeight": t(wa), "keyWeight": t(ua), "vector": t(va)}, "scores": t(additive)},
        {"kind": "score", "name": "mlp", "q": t(q), "k": t(k), "params": {"hiddenWeight": t(w1), "hiddenBias": t(b1), "outputWeight": t(w2), "outputBias": t(b2)}, "scores": t(mlp)},
        {"kind": "score", "name": "cosine", "q": t(qc), "k": t(kc), "params": {}, "scores": t(cosine)},
    ]


def nadaraya_watson_cases():
    x = np.sort(rng.uniform(0, 5, 12)).astype(np.float32).astype(np.float64)
    y = (2 * np.sin(x) + x ** 0.8).astype(np.float32).astype(np.float64)
    xq = np.linspace(0, 5, 7).astype(np.float32).astype(np.float64)
    width = 1.25
    u = (xq[:, None] - x[None, :]) * width
    kernels = {"gaussian": np.exp(-u ** 2 / 2), "boxcar": (np.abs(u) <= 1).astype(np.float64),
               "constant": np.ones_like(u), "epanechnikov": np.maximum(0, 1 - u ** 2)}
    cases = []
    for name, kk in kernels.items():
        s = kk.sum(axis=1, keepdims=True)
        w = np.where(s > 0, kk / np.where(s > 0, s, 1), 0)
        cases.append({"kind": "nadarayaWatson", "name": name, "width": width, "queries": t(xq[:, None]),
                      "keys": t(x[:, None]), "values": t(y[:, None]), "output": t(w @ y[:, None]), "weights": t(w)})
    return cases


def main():
    cases = [
        sdpa("multi-head, no mask", 2, 2, 2, 3, 4, 8, 5, {"type": "none"}),
        sdpa("GQA 4/2, causal upper-left, L < S", 1, 4, 2, 3, 6, 8, 4, {"type": "causal", "alignment": "upperLeft"}),
        sdpa("GQA 4/2, causal lower-right, L < S", 1, 4, 2, 3, 6, 8, 4, {"type": "causal", "alignment": "lowerRight"}),
        sdpa("MQA 3/1, causal upper-left, L > S", 2, 3, 1, 5, 3, 4, 4, {"type": "causal", "alignment": "upperLeft"}),
        sdpa("MQA 3/1, causal lower-right, L > S", 2, 3, 1, 5, 3, 4, 4, {"type": "causal", "alignment": "lowerRight"}),
        sdpa("sliding window 2/1 lower-right", 1, 2, 2, 4, 7, 4, 3, {"type": "slidingWindow", "left": 2, "right": 1, "alignment": "lowerRight"}),
        sdpa("key padding [4, 0, 2], scale 0.3", 3, 2, 2, 2, 4, 4, 2, {"type": "keyPadding", "lengths": [4, 0, 2]}, scale=0.3),
        sdpa("boolean [B, 1, L, S] and additive [H, L, S]", 2, 2, 1, 3, 4, 4, 3,
             {"type": "all", "masks": [
                 {"type": "boolean", "shape": [2, 1, 3, 4], "values": [bool(b) for b in (rng.uniform(size=24) > 0.3)]},
                 {"type": "additive", "shape": [2, 3, 4], "data": [float(v) for v in arr(24)]}]}),
    ]
    cases += scorer_cases() + nadaraya_watson_cases()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "Scripts/make_attention_fixtures.py", "cases": cases}, indent=None,
                              separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Fixtures for QAMA's QUBO coefficients, computed independently with NumPy in float64.

    python3 Scripts/make_qama_fixtures.py     # writes Tests/AttentionTests/Fixtures/qama.json

J[b,t,i,j]: Jensen-Shannon divergence (bits) between softmax(q[b,t,i,:]) and softmax(k[b,t,j,:]);
e[b,t,i,d] = -s log2 s with s = clip(v / (sum_d v + 1e-6), 1e-6, 1); h = sum_d e. Values include a large logit
(softmax underflow) and negative values (clipped shares). Regenerates the file byte for byte.
"""
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
rng = np.random.default_rng(2504)
B, H, N, D = 2, 2, 4, 5
q = rng.normal(size=(B, H, N, D))
k = rng.normal(size=(B, H, N, D))
v = np.abs(rng.normal(size=(B, H, N, D)))
q[0, 0, 0, 0] = 800.0         # softmax of this row underflows everywhere else
v[1, 1, 2, 3] = -0.7           # a negative value: its share is clipped to 1e-6


def softmax(x):
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


p, r = softmax(q), softmax(k)
J = np.zeros((B, H, N, N))
for b in range(B):
    for t in range(H):
        for i in range(N):
            for j in range(N):
                m = 0.5 * (p[b, t, i] + r[b, t, j])
                kl_p = sum(pp * np.log2(pp / mm) for pp, mm in zip(p[b, t, i], m) if pp > 0)
                kl_r = sum(rr * np.log2(rr / mm) for rr, mm in zip(r[b, t, j], m) if rr > 0)
                J[b, t, i, j] = 0.5 * kl_p + 0.5 * kl_r
s = np.clip(v / (v.sum(axis=-1, keepdims=True) + 1e-6), 1e-6, 1.0)
e = -s * np.log2(s)
out = {"shape": [B, H, N, D], "query": q.flatten().tolist(), "key": k.flatten().tolist(), "value": v.flatten().tolist(),
       "quadratic": J.flatten().tolist(), "entropyTerms": e.flatten().tolist(), "linear": e.sum(axis=-1).flatten().tolist()}
path = ROOT / "Tests/AttentionTests/Fixtures/qama.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")

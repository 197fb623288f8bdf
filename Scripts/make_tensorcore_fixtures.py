#!/usr/bin/env python3
"""Writes Tests/AttentionTensorCoreTests/Fixtures/ops.json: NumPy (Float64) results for TensorCore ops, plus reference
streams of the seeded generator (xoshiro256** seeded by SplitMix64), written here independently in Python.

Inputs are drawn with a fixed NumPy seed and rounded to float32, so the Swift tests can feed the same values to
the Float32 path. Expected outputs are computed in float64 from those rounded inputs. Rerunning this script
regenerates the committed file byte for byte.

    python3 Scripts/make_tensorcore_fixtures.py
"""
import json
import pathlib

import numpy as np

rng = np.random.default_rng(20261121)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/AttentionTensorCoreTests/Fixtures/ops.json"


def arr(*shape, scale=1.0, positive=False):
    x = rng.standard_normal(shape) * scale
    if positive:
        x = np.abs(x) + 0.1
    return x.astype(np.float32).astype(np.float64)


def t(x):
    x = np.asarray(x, dtype=np.float64)
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1)]}


def softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


cases = []


def case(op, inputs, output, **params):
    cases.append({"op": op, "inputs": [t(i) for i in inputs], "output": t(output), "params": params})


a, b = arr(2, 3, 4), arr(3, 1)
case("add", [a, b], a + b)
a, b = arr(4, 1, 5), arr(3, 1)
case("mul", [a, b], a * b)
a, b = arr(2, 3), arr(2, 3, positive=True)
case("div", [a, b], a / b)
a = arr(3, 5)
case("sub_scalar_left", [a], 2.5 - a)
case("exp", [a], np.exp(a))
case("tanh", [a], np.tanh(a))
case("sigmoid", [a], 1 / (1 + np.exp(-a)))
case("relu", [a], np.maximum(a, 0))
p = arr(3, 5, positive=True)
case("log", [p], np.log(p))
case("sqrt", [p], np.sqrt(p))
case("pow", [p], p ** 1.5, exponent=1.5)
x = arr(2, 3, 4)
case("sum_axes", [x], x.sum(axis=(0, 2), keepdims=True), axes=[0, 2], keep=True)
case("sum_axis1", [x], x.sum(axis=1), axes=[1], keep=False)
case("mean_all", [x], x.mean(), axes=[0, 1, 2], keep=False)
case("max_axis1", [x], x.max(axis=1), axis=1)
case("softmax_axis1", [x], softmax(x, 1), axis=1)
case("softmax_last", [x * 30], softmax(x * 30, -1), axis=-1)
case("log_softmax_last", [x], np.log(softmax(x, -1)), axis=-1)
a, b = arr(2, 1, 3, 4), arr(3, 4, 5)
case("matmul_broadcast", [a, b], a @ b)
a, b = arr(6, 7), arr(5, 7)
case("matmul_b_transposed", [a, b], a @ b.T)
a, b = arr(2, 3, 2), arr(2, 1, 2)
case("concat_axis1", [a, b], np.concatenate([a, b], axis=1), axis=1)
table = arr(5, 3)
ids = [4, 0, 4, 2]
case("index_select", [table], table[ids], axis=0, indices=ids)
x = arr(3, 6)
idx = [[5, 0], [1, 1], [3, 2]]
case("gather_axis1", [x], np.take_along_axis(x, np.array(idx), axis=1), axis=1, indices=sum(idx, []), count=2)
a, b = arr(2, 3), arr(3)
cond = [[True, False, True], [False, False, True]]
case("where", [a, b], np.where(cond, a, b), condition=sum(cond, []), conditionShape=[2, 3])
x = arr(4, 6, 3)
case("transpose_contiguous", [x], x.transpose(2, 0, 1), order=[2, 0, 1])

# Independent xoshiro256** / SplitMix64.
M = (1 << 64) - 1


def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def xoshiro(seed, n):
    st, s = seed, []
    for _ in range(4):
        st, v = splitmix(st)
        s.append(v)
    out = []
    for _ in range(n):
        out.append((rotl((s[1] * 5) & M, 7) * 9) & M)
        tt = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
        s[2] ^= tt
        s[3] = rotl(s[3], 45)
    return out


random = {}
for seed in (0, 42, 2**63 + 12345):
    bits = xoshiro(seed, 8)
    random[str(seed)] = {"bits": [str(v) for v in bits], "uniform": [float((v >> 11) * 2.0**-53) for v in bits]}

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({"generator": "Scripts/make_tensorcore_fixtures.py", "numpy": np.__version__.split(".")[0],
                           "cases": cases, "random": random}, indent=1, sort_keys=True) + "\n")
print(f"wrote {OUT} ({len(cases)} op cases)")

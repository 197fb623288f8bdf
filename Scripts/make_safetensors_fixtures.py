#!/usr/bin/env python3
"""Writes the safetensors files that the Swift reader must read back exactly: Tests/AttentionSafeTensorsTests/Fixtures/good/.

Every file is written by the Python `safetensors` library (the reference writer), so the Swift tests check that we
read what the ecosystem writes, and that our writer produces the same bytes for the same tensors.

    pip install safetensors numpy torch   # torch only for the BF16 / float8 file
    python3 Scripts/make_safetensors_fixtures.py

Outputs (deterministic: rerunning rewrites identical bytes):
  numpy_dtypes.safetensors   one tensor per NumPy dtype (F64 F32 F16 I64 I32 I16 I8 U64 U32 U16 U8 BOOL), edge values
  torch_dtypes.safetensors   BF16, F8_E4M3, F8_E5M2 (NumPy has no such types), written by safetensors.torch
  names_metadata.safetensors unusual names (Unicode, escapes, NFC vs NFD twins) and a __metadata__ entry
  shapes.safetensors         rank 0, empty dimensions, rank 4
  empty.safetensors          no tensors at all
  expected.json              for each file, its metadata and a list of tensors (name, dtype, shape, exact values);
                             a list, not an object, because JSON decoders that compare keys up to Unicode
                             normalisation (Swift's) would merge the "café" twins
"""
import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "AttentionSafeTensorsTests", "Fixtures", "good")


def encode(values):
    """Exact JSON for floats: NaN/inf as strings, finite values via repr (round-trips through Double)."""
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
        elif isinstance(v, (int, np.integer)):
            out.append(int(v))
        else:
            f = float(v)
            if math.isnan(f):
                out.append("nan")
            elif math.isinf(f):
                out.append("inf" if f > 0 else "-inf")
            else:
                out.append(f)
    return out


ST_NAMES = {np.float64: "F64", np.float32: "F32", np.float16: "F16", np.int64: "I64", np.int32: "I32",
            np.int16: "I16", np.int8: "I8", np.uint64: "U64", np.uint32: "U32", np.uint16: "U16", np.uint8: "U8",
            np.bool_: "BOOL"}


def numpy_tensors():
    rng = np.random.default_rng(5)
    with np.errstate(over="ignore"):  # 70000 overflows to inf on purpose
        f16_edges = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, -65504.0, np.inf, -np.inf, np.nan, 2.0 ** -24,
                              -(2.0 ** -24), 2.0 ** -14, 6.1e-5, 0.1, 1 / 3, 1e-8, 70000.0], dtype=np.float16)
    f32 = np.concatenate([np.array([0.0, -0.0, 1.0, np.inf, -np.inf, np.nan, 1e-45, 3.4028235e38, -1.5e-39],
                                   dtype=np.float32), rng.standard_normal(15).astype(np.float32)]).reshape(4, 6)
    f64 = np.concatenate([np.array([0.0, -0.0, np.pi, 1e-310, 1.7976931348623157e308, np.nan, -np.inf]),
                          rng.standard_normal(5)]).reshape(3, 4)
    i64 = np.array([[101, 7592, 102, 0], [-1, 2 ** 63 - 1, -(2 ** 63), 30521]], dtype=np.int64)
    return {
        "f64": f64,
        "f32": f32,
        "f16": f16_edges,
        "i64": i64,
        "i32": np.array([-(2 ** 31), -1, 0, 1, 2 ** 31 - 1, 16777217], dtype=np.int32).reshape(2, 3),
        "i16": np.array([-32768, -1, 0, 32767], dtype=np.int16),
        "i8": np.array([-128, -1, 0, 127], dtype=np.int8),
        "u64": np.array([0, 1, 2 ** 63 - 1, 2 ** 64 - 1], dtype=np.uint64),
        "u32": np.array([0, 1, 2 ** 32 - 1], dtype=np.uint32),
        "u16": np.array([0, 1, 65535], dtype=np.uint16),
        "u8": np.array([0, 1, 128, 255], dtype=np.uint8),
        "mask": np.array([[True, True, False], [True, False, False]], dtype=np.bool_),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    tensors = numpy_tensors()
    save_file(tensors, os.path.join(OUT, "numpy_dtypes.safetensors"))
    expected["numpy_dtypes.safetensors"] = {
        "metadata": {},
        "tensors": [{"name": k, "dtype": ST_NAMES[v.dtype.type], "shape": list(v.shape),
                     "values": encode(v.reshape(-1).tolist())} for k, v in tensors.items()]}

    try:
        import torch
        from safetensors.torch import save_file as save_torch
    except ImportError:
        sys.exit("torch is needed for the BF16 / float8 fixture: pip install torch")
    source = torch.tensor([0.0, -0.0, 1.0, -1.0, 1 / 3, 3.14159, 1e-3, 65504.0, 3.0e38, -1e-40, float("inf"),
                           float("-inf"), float("nan"), 448.0, 0.015625, 57344.0], dtype=torch.float32)
    ttensors = {
        "bf16": source.to(torch.bfloat16).reshape(4, 4),
        "f8_e4m3": source.clamp(-448, 448).nan_to_num(nan=0.0).to(torch.float8_e4m3fn),
        "f8_e5m2": source.clamp(-57344, 57344).nan_to_num(nan=0.0).to(torch.float8_e5m2),
    }
    save_torch(ttensors, os.path.join(OUT, "torch_dtypes.safetensors"))
    st_torch = {torch.bfloat16: "BF16", torch.float8_e4m3fn: "F8_E4M3", torch.float8_e5m2: "F8_E5M2"}
    expected["torch_dtypes.safetensors"] = {
        "metadata": {},
        "tensors": [{"name": k, "dtype": st_torch[v.dtype], "shape": list(v.shape),
                     "values": encode(v.float().reshape(-1).tolist())} for k, v in ttensors.items()]}

    # One metadata key only: the reference writer emits metadata in hash-map order, which varies between runs.
    names = {
        "caf\u00e9": np.array([1.0], dtype=np.float32),          # NFC
        "cafe\u0301": np.array([2.0], dtype=np.float32),         # NFD twin: a different name, byte for byte
        "\u65e5\u672c\u8a9e.weight": np.array([3.0], dtype=np.float32),
        "quote\"back\\slash\nnewline\ttab": np.array([4.0], dtype=np.float32),
        "ctrl\u0001\u001f": np.array([5.0], dtype=np.float32),
        "emoji \U0001F600": np.array([6.0], dtype=np.float32),
        "": np.array([7.0], dtype=np.float32),
    }
    meta = {"format": "np"}
    save_file(names, os.path.join(OUT, "names_metadata.safetensors"), metadata=meta)
    expected["names_metadata.safetensors"] = {
        "metadata": meta,
        "tensors": [{"name": k, "dtype": "F32", "shape": list(v.shape), "values": encode(v.tolist())}
                    for k, v in names.items()]}

    shapes = {
        "scalar": np.array(2.5, dtype=np.float32),
        "empty_vector": np.zeros((0,), dtype=np.float32),
        "empty_matrix": np.zeros((2, 0), dtype=np.int64),
        "rank4": np.arange(2 * 3 * 1 * 2, dtype=np.float64).reshape(2, 3, 1, 2),
    }
    save_file(shapes, os.path.join(OUT, "shapes.safetensors"))
    expected["shapes.safetensors"] = {
        "metadata": {},
        "tensors": [{"name": k, "dtype": ST_NAMES[v.dtype.type], "shape": list(v.shape),
                     "values": encode(v.reshape(-1).tolist())} for k, v in shapes.items()]}

    save_file({}, os.path.join(OUT, "empty.safetensors"))
    expected["empty.safetensors"] = {"metadata": {}, "tensors": []}

    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=True, sort_keys=True)
        f.write("\n")
    print("wrote", len(expected), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()

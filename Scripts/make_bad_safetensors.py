#!/usr/bin/env python3
"""Writes the corpus of broken and foreign files the safetensors reader must refuse, one per failure kind:
Tests/AttentionSafeTensorsTests/Fixtures/bad/<kind>.safetensors (plus a few foreign formats under their usual names).

    python3 Scripts/make_bad_safetensors.py

Standard library only, deterministic (rerunning rewrites identical bytes). Each file is as small as possible and
breaks exactly one rule, so the Swift test can assert the exact error case it must produce (see
Tests/AttentionSafeTensorsTests/BadFileTests.swift, which lists the expected error for every file here). The corpus doubles as
the seed corpus of the fuzzer (Fuzz/SafeTensorsFuzz).
"""
import io
import json
import os
import pickle
import struct
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "AttentionSafeTensorsTests", "Fixtures", "bad")

F32_4 = {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}


def pad(header: bytes) -> bytes:
    return header + b" " * ((8 - len(header) % 8) % 8)


def st(header, data=b"", padded=True, length=None):
    """A safetensors file from a header (dict → compact JSON, or raw bytes) and data bytes."""
    raw = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    raw = pad(raw) if padded else raw
    n = len(raw) if length is None else length
    return struct.pack("<Q", n) + raw + data


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def torch_like_zip() -> bytes:
    """A zip laid out like torch.save output (fixed timestamps, so the bytes never change)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        for name, payload in [("archive/data.pkl", pickle.dumps({"weight": None}, protocol=2)),
                              ("archive/byteorder", b"little"), ("archive/data/0", b"\0" * 16),
                              ("archive/version", b"3\n")]:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), payload)
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(zipfile.ZipInfo("readme.txt", date_time=(2024, 1, 1, 0, 0, 0)), b"hello\n")
    return buf.getvalue()


def files():
    zeros16 = b"\0" * 16
    deep = b'{"__metadata__":' + b"[" * 100 + b"]" * 100 + b"}"
    return {
        # --- the file as a whole
        "empty": b"",
        "too_small": b"\x05\x00\x00\x00\x00",
        "header_too_large": struct.pack("<Q", 100_000_001) + b"{}      ",
        "header_length_max_u64": b"\xff" * 8 + b"{}      ",
        "header_truncated": st({"w": F32_4}, zeros16, length=4096),
        # --- header bytes
        "header_not_utf8": st(b'{"w\xff":' + json.dumps(F32_4).encode() + b"}", zeros16),
        "header_overlong_utf8": st(b'{"w\xc0\xaf":' + json.dumps(F32_4).encode() + b"}", zeros16),
        "header_array": st(b"[]"),
        "header_whitespace_only": st(b"  \n "),
        "header_empty": st(b"", padded=False),
        "header_syntax_error": st(b'{"w": }'),
        "header_trailing_garbage": st(b"{} x"),
        "header_unterminated_string": st(b'{"w'),
        "header_lone_surrogate": st(b'{"\\ud800":' + json.dumps(F32_4).encode() + b"}", zeros16),
        "header_nul_padding": st(b"{}" + b"\0" * 6, padded=False),
        "header_too_deep": st(deep),
        # --- header content
        "duplicate_tensor_name": st(b'{"w":' + json.dumps(entry("F32", [2], 0, 8)).encode() + b',"w":'
                                    + json.dumps(entry("F32", [2], 8, 16)).encode() + b"}", zeros16),
        "duplicate_key_in_entry": st(b'{"w":{"dtype":"F32","dtype":"F16","shape":[4],"data_offsets":[0,16]}}', zeros16),
        "duplicate_metadata_key": st(b'{"__metadata__":{"a":"1","a":"2"}}'),
        "metadata_not_object": st({"__metadata__": "format=pt"}),
        "metadata_value_not_string": st({"__metadata__": {"epoch": 3}}),
        "tensor_entry_not_object": st({"w": [0, 16]}, zeros16),
        "missing_dtype": st({"w": {"shape": [4], "data_offsets": [0, 16]}}, zeros16),
        "missing_shape": st({"w": {"dtype": "F32", "data_offsets": [0, 16]}}, zeros16),
        "missing_data_offsets": st({"w": {"dtype": "F32", "shape": [4]}}, zeros16),
        "dtype_not_string": st({"w": {"dtype": 32, "shape": [4], "data_offsets": [0, 16]}}, zeros16),
        "unknown_dtype": st({"w": entry("F128", [1], 0, 16)}, zeros16),
        "shape_not_array": st({"w": {"dtype": "F32", "shape": "2x2", "data_offsets": [0, 16]}}, zeros16),
        "negative_shape": st({"w": entry("F32", [-4], 0, 16)}, zeros16),
        "fractional_shape": st({"w": entry("F32", [4.0], 0, 16)}, zeros16),
        "shape_entry_too_large": st(b'{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,16]}}',
                                    zeros16),
        "shape_overflow": st({"w": entry("F32", [2 ** 40, 2 ** 40], 0, 16)}, zeros16),
        "offsets_wrong_length": st({"w": {"dtype": "F32", "shape": [4], "data_offsets": [16]}}, zeros16),
        "negative_offset": st({"w": entry("F32", [4], -16, 0)}, zeros16),
        "offsets_reversed": st({"w": entry("F32", [4], 16, 0)}, zeros16),
        "byte_size_mismatch": st({"w": entry("F32", [2, 2], 0, 12)}, b"\0" * 12),
        # --- data layout
        "data_gap": st({"a": entry("F32", [1], 0, 4), "b": entry("F32", [1], 8, 12)}, b"\0" * 12),
        "data_gap_at_start": st({"a": entry("F32", [1], 4, 8)}, b"\0" * 8),
        "data_overlap": st({"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 4, 12)}, b"\0" * 12),
        "empty_tensor_inside_other": st({"a": entry("F32", [2], 0, 8), "b": entry("F32", [0], 4, 4)}, b"\0" * 8),
        "data_truncated": st({"w": F32_4}, b"\0" * 8),
        "trailing_bytes": st({"w": F32_4}, zeros16 + b"\0\0\0"),
        # --- foreign formats
        "pytorch_pickle.bin": pickle.dumps({"embeddings.weight": [0.0, 1.0]}, protocol=2),
        "pytorch_zip.bin": torch_like_zip(),
        "archive.zip": plain_zip(),
        "model.gguf": b"GGUF" + struct.pack("<IQQ", 3, 0, 0),
        "lfs_pointer.safetensors": b"version https://git-lfs.github.com/spec/v1\n"
                                   b"oid sha256:6f6d1f4f9d1b6f4e0c4c9b0f2f0e6f3c8d2b6a1e5f9c3d7b2a6e0f4c8d2b6a1e\n"
                                   b"size 90868376\n",
        "error_page.safetensors": b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
                                  b"<body>Not Found</body></html>\n",
        "config.json": b'{\n  "hidden_size": 384,\n  "num_attention_heads": 12\n}\n',
        "array.npy": b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + b" " * 45
                     + b"\n" + b"\0" * 8,
        "weights.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 24,
        "notes.txt": "These are not the weights you are looking for. Café ☕\n".encode(),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    corpus = files()
    for name, data in corpus.items():
        filename = name if "." in name else name + ".safetensors"
        with open(os.path.join(OUT, filename), "wb") as f:
            f.write(data)
    print("wrote", len(corpus), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the PyTorch fixtures of Tests/AttentionTransformersTests/Fixtures/: small cases of F.scaled_dot_product_attention,
nn.MultiheadAttention, nn.TransformerEncoderLayer and nn.TransformerDecoderLayer, in the file layout of
`attention run` (so the same files test the layers and the runner):

    NAME.in.safetensors        inputs (F32, BOOL masks), `grad_output`, options as strings in __metadata__ (+ "op")
    NAME.weights.safetensors   the module's state dict (F32, PyTorch key names), when the op has weights
    NAME.expected.safetensors  `output`, `weights`, input gradients `grad_<input>`, parameter gradients
                               `param_grad.<key>` (F32); for the layers also the per-head attention weights
                               `layer_weights.self_attn` [N, H, L, L] and `layer_weights.multihead_attn` [N, H, L, S]

Inputs and weights are drawn in float32; PyTorch then runs in float64 on exactly those values, so the expected
numbers are the float32 problem solved without float32 rounding. Dropout is 0.

Fully-masked query rows: PyTorch gives NaN there when it computes attention weights (and the output bias when it
does not); this project's policy is output 0, weights 0, gradient 0. The expected files follow the policy: the
reference output and gradients come from the path without weights (PyTorch's safe softmax gives finite values),
and rows whose every head sees no key are set to 0 before the backward pass; NaN weights become 0.

    python3 Scripts/make_transformer_fixtures.py      # regenerates the committed files byte for byte
"""
import json
import pathlib

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/AttentionTransformersTests/Fixtures"
gen = torch.Generator().manual_seed(20240607)


def randn(*shape, scale=1.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float32) * scale).to(torch.float64)


def f32(x):
    return x.detach().to(torch.float32).contiguous()


def save_file(tensors, path, metadata=None):
    """A .safetensors file with a deterministic header (sorted keys; the `safetensors` package orders metadata
    by hash, which would change the bytes from run to run): 8-byte header length, JSON, data in key order."""
    names = sorted(tensors)
    dtypes = {torch.float32: ("F32", 4), torch.float64: ("F64", 8), torch.bool: ("BOOL", 1), torch.int64: ("I64", 8)}
    header, blobs, offset = {}, [], 0
    for name in names:
        t = tensors[name].detach().contiguous()
        code, size = dtypes[t.dtype]
        data = t.numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def meta(d):
    return {k: (("true" if v else "false") if isinstance(v, bool) else str(v)) for k, v in d.items()}


def randomize(module):
    """Every parameter (biases too) drawn at a scale that keeps activations O(1)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            fan = p.shape[-1] if p.dim() > 1 else 4
            p.copy_(randn(*p.shape, scale=(1.0 / fan) ** 0.5 if p.dim() > 1 else 0.3))


def write(name, op, inputs, options, expected, weights=None):
    OUT.mkdir(parents=True, exist_ok=True)
    for k, v in expected.items():
        assert not torch.isnan(v).any(), f"{name}: NaN in expected {k}"
    tensors = {k: (v.contiguous() if v.dtype == torch.bool else f32(v)) for k, v in inputs.items()}
    save_file(tensors, str(OUT / f"{name}.in.safetensors"), metadata=meta({"op": op, **options}))
    if weights is not None:
        save_file({k: f32(v) for k, v in weights.items()}, str(OUT / f"{name}.weights.safetensors"))
    save_file({k: f32(v) for k, v in expected.items()}, str(OUT / f"{name}.expected.safetensors"))
    print(f"  {name}: {', '.join(sorted(expected))}")


# ---------------------------------------------------------------------------------------------------- sdpa
def sdpa_case(name, b, h, hkv, l, s, e, ev, mask=None, is_causal=False, scale=None, need_weights=True):
    q, k, v = randn(b, h, l, e), randn(b, hkv, s, e), randn(b, hkv, s, ev)
    q.requires_grad_(); k.requires_grad_(); v.requires_grad_()
    gqa = hkv != h
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal, scale=scale, enable_gqa=gqa)
    # The weights, written out: softmax(q kᵀ · scale + bias) with K repeated per group (PyTorch's enable_gqa).
    kr = k.detach().repeat_interleave(h // hkv, dim=1)
    scores = q.detach() @ kr.transpose(-1, -2) * (scale if scale is not None else e ** -0.5)
    if is_causal:
        scores = scores.masked_fill(~torch.ones(l, s, dtype=torch.bool).tril(), float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)
    dead = weights.sum(-1, keepdim=True) == 0
    out = torch.where(dead, 0.0, out)
    grad = randn(*out.shape)
    out.backward(grad)
    inputs = {"query": q, "key": k, "value": v, "grad_output": grad}
    if mask is not None:
        inputs["attn_mask"] = mask
    expected = {"output": out, "grad_query": q.grad, "grad_key": k.grad, "grad_value": v.grad}
    if need_weights:
        expected["weights"] = weights
    options = {"is_causal": is_causal, "enable_gqa": gqa, "need_weights": need_weights}
    if scale is not None:
        options["scale"] = scale
    write(name, "sdpa", inputs, options, expected)


# ----------------------------------------------------------------------------------------------------- mha
def mha_case(name, n, l, s, e, heads, kdim=None, vdim=None, bias=True, add_bias_kv=False, add_zero_attn=False,
             kpm=None, attn_mask=None, is_causal=False, need_weights=True, average=True):
    kdim, vdim = kdim or e, vdim or e
    m = torch.nn.MultiheadAttention(e, heads, bias=bias, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn,
                                    kdim=kdim, vdim=vdim, batch_first=True, dtype=torch.float64)
    randomize(m)
    q, k, v = randn(n, l, e), randn(n, s, kdim), randn(n, s, vdim)
    q.requires_grad_(); k.requires_grad_(); v.requires_grad_()
    args = dict(key_padding_mask=kpm, attn_mask=attn_mask, is_causal=is_causal)
    with torch.no_grad():
        _, w = m(q, k, v, need_weights=True, average_attn_weights=False, **args)
    dead = torch.isnan(w).any(-1).all(1)                               # [N, L]: no head sees a key
    if need_weights and not dead.any():
        out, _ = m(q, k, v, need_weights=True, **args)
    else:
        out, _ = m(q, k, v, need_weights=False, **args)
    out = torch.where(dead.unsqueeze(-1), 0.0, out)
    grad = randn(*out.shape)
    out.backward(grad)
    inputs = {"query": q, "key": k, "value": v, "grad_output": grad}
    if kpm is not None:
        inputs["key_padding_mask"] = kpm
    if attn_mask is not None:
        inputs["attn_mask"] = attn_mask
    expected = {"output": out, "grad_query": q.grad, "grad_key": k.grad, "grad_value": v.grad}
    expected.update({f"param_grad.{k_}": p.grad for k_, p in m.named_parameters()})
    if need_weights:
        w = torch.nan_to_num(w, nan=0.0)
        expected["weights"] = w.mean(1) if average else w
    options = {"num_heads": heads, "add_zero_attn": add_zero_attn, "need_weights": need_weights,
               "average_attn_weights": average, "is_causal": is_causal}
    write(name, "mha", inputs, options, expected, weights=dict(m.state_dict()))


# -------------------------------------------------------------------------------------------------- layers
def layer_weights(layer, x, self_mask, self_kpm, memory=None, memory_mask=None, memory_kpm=None):
    """The per-head attention weights of a layer's self-attention (and cross-attention), computed the way the layer
    computes its sublayers (norm before or after, as `norm_first` says), by calling its `self_attn` /
    `multihead_attn` with need_weights=True, average_attn_weights=False. Fully masked rows (NaN) become 0."""
    with torch.no_grad():
        h = layer.norm1(x) if layer.norm_first else x
        sa, w = layer.self_attn(h, h, h, attn_mask=self_mask, key_padding_mask=self_kpm, need_weights=True,
                                average_attn_weights=False)
        out = {"layer_weights.self_attn": torch.nan_to_num(w, nan=0.0)}
        if memory is not None:
            x = x + sa if layer.norm_first else layer.norm1(x + sa)
            h = layer.norm2(x) if layer.norm_first else x
            _, w = layer.multihead_attn(h, memory, memory, attn_mask=memory_mask, key_padding_mask=memory_kpm,
                                        need_weights=True, average_attn_weights=False)
            out["layer_weights.multihead_attn"] = torch.nan_to_num(w, nan=0.0)
    return out


def encoder_case(name, n, l, d, heads, ff, activation, norm_first, eps=1e-5, kpm=None, src_mask=None, is_causal=False):
    layer = torch.nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, activation=activation, layer_norm_eps=eps,
                                             batch_first=True, norm_first=norm_first, dtype=torch.float64)
    randomize(layer)
    src = randn(n, l, d).requires_grad_()
    mask = src_mask if src_mask is not None else (torch.nn.Transformer.generate_square_subsequent_mask(l, dtype=torch.float64) if is_causal else None)
    out = layer(src, src_mask=mask, src_key_padding_mask=kpm, is_causal=is_causal)
    grad = randn(*out.shape)
    out.backward(grad)
    inputs = {"src": src, "grad_output": grad}
    if kpm is not None:
        inputs["src_key_padding_mask"] = kpm
    if src_mask is not None:
        inputs["src_mask"] = src_mask
    expected = {"output": out, "grad_src": src.grad}
    expected.update(layer_weights(layer, src.detach(), mask, kpm))
    expected.update({f"param_grad.{k}": p.grad for k, p in layer.named_parameters()})
    options = {"nhead": heads, "activation": activation, "norm_first": norm_first, "layer_norm_eps": eps}
    if is_causal:
        options["is_causal"] = True
    write(name, "encoder-layer", inputs, options, expected, weights=dict(layer.state_dict()))


def decoder_case(name, n, l, s, d, heads, ff, activation, norm_first, eps=1e-5, tgt_is_causal=False,
                 pass_tgt_mask=True, tgt_kpm=None, memory_kpm=None, memory_mask=None):
    layer = torch.nn.TransformerDecoderLayer(d, heads, ff, dropout=0.0, activation=activation, layer_norm_eps=eps,
                                             batch_first=True, norm_first=norm_first, dtype=torch.float64)
    randomize(layer)
    tgt, memory = randn(n, l, d).requires_grad_(), randn(n, s, d).requires_grad_()
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(l, dtype=torch.float64) if tgt_is_causal else None
    out = layer(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_kpm,
                memory_key_padding_mask=memory_kpm, tgt_is_causal=tgt_is_causal)
    grad = randn(*out.shape)
    out.backward(grad)
    inputs = {"tgt": tgt, "memory": memory, "grad_output": grad}
    if tgt_mask is not None and pass_tgt_mask:
        inputs["tgt_mask"] = tgt_mask
    for key, value in [("tgt_key_padding_mask", tgt_kpm), ("memory_key_padding_mask", memory_kpm), ("memory_mask", memory_mask)]:
        if value is not None:
            inputs[key] = value
    expected = {"output": out, "grad_tgt": tgt.grad, "grad_memory": memory.grad}
    expected.update(layer_weights(layer, tgt.detach(), tgt_mask, tgt_kpm, memory.detach(), memory_mask, memory_kpm))
    expected.update({f"param_grad.{k}": p.grad for k, p in layer.named_parameters()})
    options = {"nhead": heads, "activation": activation, "norm_first": norm_first, "layer_norm_eps": eps,
               "tgt_is_causal": tgt_is_causal}
    write(name, "decoder-layer", inputs, options, expected, weights=dict(layer.state_dict()))


def main():
    torch.set_grad_enabled(True)
    print(f"writing {OUT}")
    # sdpa
    sdpa_case("sdpa_basic", 2, 2, 2, 3, 5, 4, 3)
    m = torch.ones(2, 1, 4, 6, dtype=torch.bool); m[0, 0, 1, :] = False; m[1, 0, :, 0] = False
    sdpa_case("sdpa_gqa_bool_mask_dead_row", 2, 4, 2, 4, 6, 5, 3, mask=m)
    sdpa_case("sdpa_causal_scale", 1, 3, 3, 4, 6, 7, 2, is_causal=True, scale=0.3)
    sdpa_case("sdpa_causal_long_queries", 1, 2, 1, 5, 3, 4, 4, is_causal=True)
    fm = randn(3, 4); fm[2, :] = float("-inf"); fm[0, 1] = float("-inf")
    sdpa_case("sdpa_float_mask_dead_row", 2, 2, 2, 3, 4, 6, 5, mask=fm)
    # mha
    mha_case("mha_basic", 2, 3, 4, 8, 2)
    mha_case("mha_per_head_no_bias", 2, 3, 5, 6, 3, bias=False, average=False)
    mha_case("mha_kdim_vdim", 2, 3, 4, 8, 2, kdim=5, vdim=7)
    mha_case("mha_bias_kv", 2, 4, 3, 6, 2, add_bias_kv=True)
    mha_case("mha_zero_attn", 1, 3, 4, 4, 2, add_zero_attn=True, average=False)
    kpm = torch.zeros(2, 5, dtype=torch.bool); kpm[0, 3:] = True; kpm[1, 1] = True
    mha_case("mha_all_options", 2, 3, 5, 8, 4, kdim=3, vdim=6, add_bias_kv=True, add_zero_attn=True, kpm=kpm)
    kpm = torch.zeros(2, 4, dtype=torch.bool); kpm[1, :] = True
    mha_case("mha_padding_dead_batch", 2, 3, 4, 6, 2, kpm=kpm)
    am = torch.zeros(2 * 2, 3, 4, dtype=torch.bool); am[0, 1, :] = True; am[1, 1, :] = True; am[3, 2, 1:] = True
    mha_case("mha_bool_mask_3d_dead_row", 2, 3, 4, 6, 2, attn_mask=am, average=False)
    fm = randn(3, 5); fm[1, 2] = float("-inf")
    kpm = torch.zeros(2, 5, dtype=torch.bool); kpm[0, 4] = True
    mha_case("mha_float_mask_padding", 2, 3, 5, 6, 3, attn_mask=fm, kpm=kpm)
    causal = torch.ones(4, 4, dtype=torch.bool).triu(1)
    mha_case("mha_causal_weights", 2, 4, 4, 6, 2, attn_mask=causal, is_causal=True)
    mha_case("mha_causal_bias_kv_sdpa_path", 2, 4, 4, 6, 2, add_bias_kv=True, attn_mask=causal, is_causal=True,
             need_weights=False)
    # encoder / decoder layers, both norm placements and both activations
    kpm = torch.zeros(2, 4, dtype=torch.bool); kpm[1, 3] = True
    encoder_case("encoder_post_relu", 2, 4, 8, 2, 16, "relu", False, kpm=kpm)
    encoder_case("encoder_pre_gelu", 2, 4, 8, 2, 12, "gelu", True, eps=1e-6)
    sm = torch.zeros(3, 3, dtype=torch.bool); sm[0, 2] = True
    encoder_case("encoder_pre_relu_mask", 1, 3, 6, 3, 10, "relu", True, src_mask=sm)
    encoder_case("encoder_post_gelu_causal", 2, 3, 6, 2, 8, "gelu", False, is_causal=True)
    mkpm = torch.zeros(2, 5, dtype=torch.bool); mkpm[0, 4] = True
    decoder_case("decoder_post_relu", 2, 3, 5, 8, 2, 16, "relu", False, tgt_is_causal=True, memory_kpm=mkpm)
    decoder_case("decoder_pre_gelu", 2, 3, 4, 8, 4, 12, "gelu", True, tgt_is_causal=True, pass_tgt_mask=False)
    tkpm = torch.zeros(1, 4, dtype=torch.bool); tkpm[0, 3] = True
    decoder_case("decoder_post_gelu_padding", 1, 4, 3, 6, 3, 10, "gelu", False, tgt_kpm=tkpm)
    decoder_case("decoder_pre_relu_causal_padding", 1, 4, 3, 6, 2, 8, "relu", True, tgt_is_causal=True, tgt_kpm=tkpm)


if __name__ == "__main__":
    main()

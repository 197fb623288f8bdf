#!/usr/bin/env python3
"""Writes the `attention run lm-train` fixtures of Tests/AttentionTransformersTests/Fixtures/LMTrain/: 20 AdamW steps of a
decoder-only language model in PyTorch, float64, on random small cases (pre- and post-norm, ReLU and GELU,
clipping and weight decay on and off, label smoothing).

The model is exactly the runner's contract:

    x = tok_emb(tokens[:, :-1]) + pos_emb(arange(T - 1))
    for layer in layers: x = layer(x, src_mask=causal, is_causal=True)   # nn.TransformerEncoderLayer, batch_first
    logits = head(norm(x))
    loss = F.cross_entropy(logits.reshape(-1, V), tokens[:, 1:].reshape(-1), label_smoothing=eps)
    loss.backward(); clip_grad_norm_(model.parameters(), clip_norm) if clip_norm > 0; AdamW.step()

Files per case:

    NAME.in.safetensors        tokens [B, T] I64; options as strings in __metadata__
    NAME.weights.safetensors   the initial state dict (F32, PyTorch names)
    NAME.expected.safetensors  losses [steps] (F64) and every parameter after the last step (F32, rounded from
                               float64): PyTorch in float64 on the F32 initial weights. Its __metadata__ also holds PyTorch's own float32 run of the
                               same case, measured with the same two figures the test checks:
                               torch_f32_loss_rel (max over steps of |loss - ref| / |ref|) and
                               torch_f32_update_error (||W - W_ref|| / ||W_ref - W_0|| over the whole model).

    python3 Scripts/make_lm_train_fixtures.py      # regenerates the committed files byte for byte
"""
import json
import math
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/AttentionTransformersTests/Fixtures/LMTrain"
STEPS = 20


class LM(nn.Module):
    def __init__(self, vocab, context, d, nhead, layers, ff, activation, norm_first):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, d)
        self.pos_emb = nn.Embedding(context, d)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(d, nhead, ff, dropout=0.0, activation=activation, batch_first=True,
                                       norm_first=norm_first) for _ in range(layers)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, t):
        T = t.shape[1]
        x = self.tok_emb(t) + self.pos_emb(torch.arange(T))
        mask = nn.Transformer.generate_square_subsequent_mask(T, dtype=x.dtype)
        for layer in self.layers:
            x = layer(x, src_mask=mask, is_causal=True)
        return self.head(self.norm(x))


def save_file(tensors, path, metadata=None):
    """A .safetensors file with a deterministic header (sorted keys): 8-byte length, JSON, data in key order."""
    names = sorted(tensors)
    dtypes = {torch.float32: ("F32", 4), torch.float64: ("F64", 8), torch.int64: ("I64", 8)}
    header, blobs, offset = {}, [], 0
    for name in names:
        t = tensors[name].detach().contiguous()
        code, _ = dtypes[t.dtype]
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


def train(model, tokens, o, dtype):
    model = model.to(dtype)
    opt = torch.optim.AdamW(model.parameters(), lr=o["lr"], betas=o["betas"], eps=o["eps"], weight_decay=o["weight_decay"])
    losses = []
    for _ in range(STEPS):
        opt.zero_grad()
        logits = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1),
                               label_smoothing=o["label_smoothing"])
        losses.append(loss.item())
        loss.backward()
        if o["clip_norm"] > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), o["clip_norm"])
        opt.step()
    return losses, {k: v.detach().to(torch.float64).clone() for k, v in model.state_dict().items()}


def update_error(w, ref, w0):
    num = math.sqrt(sum(((w[k] - ref[k]) ** 2).sum().item() for k in ref))
    den = math.sqrt(sum(((ref[k] - w0[k]) ** 2).sum().item() for k in ref))
    return num / den


def case(name, seed, vocab=11, context=12, d=8, nhead=2, layers=2, ff=16, activation="relu", norm_first=False,
         b=3, t=10, lr=3e-3, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.0, clip_norm=0.0, label_smoothing=0.0):
    torch.manual_seed(seed)
    model = LM(vocab, context, d, nhead, layers, ff, activation, norm_first)
    with torch.no_grad():
        # PyTorch's unit norms and zero biases would hide a swapped weight and bias: draw them too.
        for pname, p in model.named_parameters():
            if "norm" in pname:
                p.copy_(p + 0.2 * torch.randn(p.shape))
            elif pname.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape))
    w0 = {k: v.detach().clone() for k, v in model.state_dict().items()}   # float32
    tokens = torch.randint(0, vocab, (b, t))
    o = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, clip_norm=clip_norm, label_smoothing=label_smoothing)
    ref_model = LM(vocab, context, d, nhead, layers, ff, activation, norm_first)
    ref_model.load_state_dict(w0)
    ref_losses, ref_w = train(ref_model, tokens, o, torch.float64)
    f32_model = LM(vocab, context, d, nhead, layers, ff, activation, norm_first)
    f32_model.load_state_dict(w0)
    f32_losses, f32_w = train(f32_model, tokens, o, torch.float32)
    w0_64 = {k: v.to(torch.float64) for k, v in w0.items()}
    loss_rel = max(abs(a - r) / abs(r) for a, r in zip(f32_losses, ref_losses))
    upd = update_error(f32_w, ref_w, w0_64)
    if clip_norm > 0:
        # The case must actually clip: the first gradient norm is above the threshold.
        probe = LM(vocab, context, d, nhead, layers, ff, activation, norm_first).to(torch.float64)
        probe.load_state_dict(w0)
        logits = probe(tokens[:, :-1])
        F.cross_entropy(logits.reshape(-1, vocab), tokens[:, 1:].reshape(-1), label_smoothing=label_smoothing).backward()
        norm = math.sqrt(sum((p.grad ** 2).sum().item() for p in probe.parameters()))
        assert norm > clip_norm, f"{name}: gradient norm {norm} does not exceed clip_norm {clip_norm}"
    meta = {"op": "lm-train", "d_model": str(d), "nhead": str(nhead), "num_layers": str(layers), "dim_feedforward": str(ff),
            "norm_first": "true" if norm_first else "false", "activation": activation, "context": str(context),
            "label_smoothing": repr(label_smoothing), "lr": repr(lr), "betas": f"{betas[0]!r},{betas[1]!r}", "eps": repr(eps),
            "weight_decay": repr(weight_decay), "steps": str(STEPS), "clip_norm": repr(clip_norm)}
    OUT.mkdir(parents=True, exist_ok=True)
    save_file({"tokens": tokens}, OUT / f"{name}.in.safetensors", metadata=meta)
    save_file(w0, OUT / f"{name}.weights.safetensors")
    # Parameters in F32 (their rounding, ~6e-8 relative, is far below the update-error bound), losses in F64.
    expected = {k: v.to(torch.float32) for k, v in ref_w.items()}
    expected["losses"] = torch.tensor(ref_losses, dtype=torch.float64)
    save_file(expected, OUT / f"{name}.expected.safetensors",
              metadata={"torch_f32_loss_rel": f"{loss_rel:.3e}", "torch_f32_update_error": f"{upd:.3e}"})
    print(f"{name}: losses {ref_losses[0]:.4f} -> {ref_losses[-1]:.4f}; PyTorch float32 vs float64: "
          f"loss rel {loss_rel:.2e}, update error {upd:.2e}")


def main():
    torch.set_num_threads(1)
    case("post_relu_plain", 1)
    case("post_gelu_clip_decay", 2, activation="gelu", clip_norm=0.5, weight_decay=0.1)
    case("pre_relu_decay_smoothing", 3, norm_first=True, weight_decay=0.05, label_smoothing=0.1)
    case("pre_gelu_clip", 4, activation="gelu", norm_first=True, clip_norm=0.3)
    case("pre_gelu_wide_3layers", 5, vocab=17, context=16, d=12, nhead=3, layers=3, ff=16, activation="gelu",
         norm_first=True, b=2, t=16, lr=1e-2, weight_decay=0.01, clip_norm=0.4, label_smoothing=0.05)
    case("post_relu_one_layer_full_context", 6, vocab=7, context=9, layers=1, b=4, t=10, lr=1e-3, betas=(0.8, 0.95),
         eps=1e-6, weight_decay=0.2)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes Tests/AttentionTransformersTests/Fixtures/Seq2SeqTrain/: training runs of a small PyTorch translation Transformer,
in the file layout of `attention run seq2seq-train`:

    NAME.in.safetensors        `src` [B, S] and `tgt` [B, T] (I64, tgt[:, 0] = BOS), options in __metadata__ (+ "op")
    NAME.weights.safetensors   the initial state dict (F32): src_emb, tgt_emb (nn.Embedding), transformer
                               (nn.Transformer, batch_first, dropout 0, with its final encoder/decoder norms), generator
    NAME.expected.safetensors  `losses` [steps] and every parameter after the last step (F64, PyTorch float64 run);
                               __metadata__ records PyTorch's own float32 run against it: `torch_f32_loss_rel_error`
                               (max over steps of |loss32 − loss64| / |loss64|) and `torch_f32_update_error`
                               (‖W32 − W64‖ / ‖W64 − W0‖ over the whole model)

The model: x = emb(ids)·√d_model + PE, PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)) (computed
in float64); causal `tgt_mask`; src_key_padding_mask = memory_key_padding_mask = (src == pad_id),
tgt_key_padding_mask = (tgt_in == pad_id); loss = F.cross_entropy(logits, tgt[:, 1:], ignore_index=pad_id,
label_smoothing) with teacher forcing tgt[:, :-1] → tgt[:, 1:]; AdamW over model.parameters();
clip_grad_norm_(clip_norm) before each step when clip_norm > 0. Weights and ids are drawn with fixed seeds; the
float64 reference starts from exactly the float32 initial values.

Corner cases, chosen so that PyTorch's numbers are meaningful: no source row is all padding and every target starts
with a non-pad BOS (so no query row sees only masked keys, where PyTorch gives the output bias and this library 0);
padded query rows (pad positions of tgt_in) still see BOS, and their labels are ignored; one case has a target that is
only BOS + padding (no counted label) and a pad inside a source row.

    python3 Scripts/make_seq2seq_train_fixtures.py     # regenerates the committed files byte for byte
"""
import math
import pathlib
import sys
import warnings

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_transformer_fixtures import meta, save_file  # noqa: E402  (the deterministic safetensors writer)

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/AttentionTransformersTests/Fixtures/Seq2SeqTrain"
warnings.filterwarnings("ignore")


def sinusoid(length, d, dtype):
    pe = torch.zeros(length, d, dtype=torch.float64)
    for p in range(length):
        for j in range(d):
            angle = p / math.pow(10000.0, (2 * (j // 2)) / d)
            pe[p, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe.to(dtype)


class Seq2Seq(torch.nn.Module):
    def __init__(self, src_vocab, tgt_vocab, o, dtype):
        super().__init__()
        d = int(o["d_model"])
        self.d = d
        self.src_emb = torch.nn.Embedding(src_vocab, d, dtype=dtype)
        self.tgt_emb = torch.nn.Embedding(tgt_vocab, d, dtype=dtype)
        self.transformer = torch.nn.Transformer(d, int(o["nhead"]), int(o["num_encoder_layers"]), int(o["num_decoder_layers"]),
                                                int(o["dim_feedforward"]), dropout=0.0, activation=o["activation"],
                                                batch_first=True, norm_first=o["norm_first"] == "true", dtype=dtype)
        self.generator = torch.nn.Linear(d, tgt_vocab, dtype=dtype)

    def forward(self, src, tgt_in, pad):
        dtype = self.generator.weight.dtype
        x = self.src_emb(src) * math.sqrt(self.d) + sinusoid(src.shape[1], self.d, dtype)
        y = self.tgt_emb(tgt_in) * math.sqrt(self.d) + sinusoid(tgt_in.shape[1], self.d, dtype)
        t = tgt_in.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool).triu(1)
        spad, tpad = src == pad, tgt_in == pad
        h = self.transformer(x, y, tgt_mask=causal, src_key_padding_mask=spad, tgt_key_padding_mask=tpad,
                             memory_key_padding_mask=spad)
        return self.generator(h)


def train(state, src, tgt, o, dtype):
    """Loads `state`, runs `steps` AdamW steps; returns (losses, final state dict)."""
    src_vocab, tgt_vocab = state["src_emb.weight"].shape[0], state["tgt_emb.weight"].shape[0]
    model = Seq2Seq(src_vocab, tgt_vocab, o, dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in state.items()})
    model.train()
    b1, b2 = (float(x) for x in o["betas"].split(","))
    opt = torch.optim.AdamW(model.parameters(), lr=float(o["lr"]), betas=(b1, b2), eps=float(o["eps"]),
                            weight_decay=float(o["weight_decay"]))
    pad, clip = int(o["pad_id"]), float(o["clip_norm"])
    losses = []
    for _ in range(int(o["steps"])):
        opt.zero_grad()
        logits = model(src, tgt[:, :-1], pad)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, 1:].reshape(-1), ignore_index=pad,
                               label_smoothing=float(o["label_smoothing"]))
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        losses.append(loss.item())
    return torch.tensor(losses, dtype=torch.float64), {k: v.detach().clone() for k, v in model.state_dict().items()}


def update_error(w, ref, w0):
    """‖W − W_ref‖ / ‖W_ref − W_0‖ over every parameter at once."""
    num = sum(((w[k].double() - ref[k]) ** 2).sum().item() for k in ref)
    den = sum(((ref[k] - w0[k].double()) ** 2).sum().item() for k in ref)
    return math.sqrt(num / den)


def case(name, seed, src_vocab, tgt_vocab, src, tgt, **options):
    gen = torch.Generator().manual_seed(seed)
    o = {"op": "seq2seq-train", "betas": "0.9,0.98", "eps": "1e-8", "steps": "20", "layer_norm_eps": "1e-5"}
    o.update(meta(options))
    model = Seq2Seq(src_vocab, tgt_vocab, o, torch.float32)
    state = {}
    for k, v in model.state_dict().items():
        # Random values everywhere (PyTorch's unit norms and zero biases would hide wiring mistakes).
        if k.endswith("emb.weight"):
            x = torch.randn(*v.shape, generator=gen) * (1 / math.sqrt(v.shape[1]))
        elif v.dim() > 1:
            x = torch.randn(*v.shape, generator=gen) * (1 / math.sqrt(v.shape[-1]))
        elif "norm" in k and k.endswith("weight"):
            x = 1 + 0.2 * torch.randn(*v.shape, generator=gen)
        else:
            x = 0.2 * torch.randn(*v.shape, generator=gen)
        state[k] = x.to(torch.float32).contiguous()
    src, tgt = torch.tensor(src, dtype=torch.int64), torch.tensor(tgt, dtype=torch.int64)
    losses64, final64 = train(state, src, tgt, o, torch.float64)
    losses32, final32 = train(state, src, tgt, o, torch.float32)
    assert torch.isfinite(losses64).all(), name
    loss_err = ((losses32 - losses64).abs() / losses64.abs()).max().item()
    upd_err = update_error(final32, final64, state)
    OUT.mkdir(parents=True, exist_ok=True)
    save_file({"src": src, "tgt": tgt}, str(OUT / f"{name}.in.safetensors"), metadata=o)
    save_file(state, str(OUT / f"{name}.weights.safetensors"))
    expected = {"losses": losses64, **final64}
    save_file(expected, str(OUT / f"{name}.expected.safetensors"),
              metadata={"torch_f32_loss_rel_error": f"{loss_err:.3e}", "torch_f32_update_error": f"{upd_err:.3e}"})
    print(f"  {name}: loss {losses64[0]:.4f} → {losses64[-1]:.4f}; PyTorch float32: loss rel {loss_err:.2e}, update {upd_err:.2e}")


def main():
    torch.set_num_threads(1)
    print(f"writing {OUT}")
    # pad 0, BOS 1; trailing padding in source and target.
    case("post_relu_padded", 1, 13, 11,
         src=[[3, 4, 5, 6, 7, 8], [9, 10, 3, 0, 0, 0], [12, 4, 4, 7, 0, 0]],
         tgt=[[1, 2, 3, 4, 5, 6, 7], [1, 8, 9, 10, 0, 0, 0], [1, 3, 3, 0, 0, 0, 0]],
         d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, norm_first=False,
         activation="relu", pad_id=0, label_smoothing=0.0, lr=0.003, weight_decay=0.0, clip_norm=0.0)
    # pad 1, BOS 2; a target with no counted label (BOS + padding), a pad inside a source row; clipping active.
    case("pre_gelu_clip_decay_smoothing", 2, 10, 9,
         src=[[3, 4, 1, 6, 7], [8, 9, 5, 1, 1], [4, 4, 4, 4, 4], [5, 1, 1, 1, 1]],
         tgt=[[2, 3, 4, 5, 6, 7], [2, 1, 1, 1, 1, 1], [2, 8, 8, 3, 1, 1], [2, 5, 1, 1, 1, 1]],
         d_model=12, nhead=3, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, norm_first=True,
         activation="gelu", pad_id=1, label_smoothing=0.1, lr=0.004, weight_decay=0.01, clip_norm=0.5)
    case("post_gelu_clip_decay", 3, 9, 12,
         src=[[2, 3, 4, 5], [6, 7, 8, 0], [2, 2, 0, 0]],
         tgt=[[1, 4, 5, 6, 7, 8], [1, 9, 10, 11, 0, 0], [1, 2, 0, 0, 0, 0]],
         d_model=8, nhead=4, num_encoder_layers=1, num_decoder_layers=2, dim_feedforward=12, norm_first=False,
         activation="gelu", pad_id=0, label_smoothing=0.05, lr=0.002, weight_decay=0.1, clip_norm=1.0)
    case("pre_relu_unpadded_decay", 4, 8, 8,
         src=[[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]],
         tgt=[[7, 2, 4, 6, 1], [7, 3, 5, 7, 2]],
         d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, norm_first=True,
         activation="relu", pad_id=0, label_smoothing=0.0, lr=0.005, weight_decay=0.05, clip_norm=0.0)


if __name__ == "__main__":
    main()

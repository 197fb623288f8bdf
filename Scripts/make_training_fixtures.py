#!/usr/bin/env python3
"""Fixtures for Tests/AttentionTrainingTests: PyTorch's optimisers and losses on fixed values, in float64.

    python3 Scripts/make_training_fixtures.py      # writes Tests/AttentionTrainingTests/Fixtures/training.json

Parameters and gradients are float32-representable (drawn in float32, then widened), so the Swift side starts
from exactly the same numbers; PyTorch runs in float64, so the expected values carry no float32 rounding of
their own. Regenerates the file byte for byte (fixed seed, fixed formatting).
"""
import json
import pathlib

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
g = torch.Generator().manual_seed(20261121)


def f32(*shape, scale=1.0):
    return (torch.randn(*shape, generator=g, dtype=torch.float32) * scale).double()


out = {"optimizers": [], "losses": {}}
w0 = f32(3, 4)
grads = [f32(3, 4) for _ in range(3)]
configs = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.05, "amsgrad": True}),
]
for name, kw in configs:
    w = torch.nn.Parameter(w0.clone())
    opt = getattr(torch.optim, name)([w], **kw)
    steps = []
    for gr in grads:
        w.grad = gr.clone()
        opt.step()
        steps.append(w.detach().flatten().tolist())
    out["optimizers"].append({"name": name, "options": {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()},
                              "after": steps})
out["initial"] = w0.flatten().tolist()
out["gradients"] = [gr.flatten().tolist() for gr in grads]

logits = f32(6, 5, scale=2.0)
targets = [1, 0, 4, -100, 2, 3]
ce = {"logits": logits.flatten().tolist(), "targets": targets, "cases": []}
for smoothing in [0.0, 0.2]:
    for reduction in ["mean", "sum", "none"]:
        x = logits.clone().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(x, torch.tensor(targets), ignore_index=-100,
                                                 label_smoothing=smoothing, reduction=reduction)
        loss.sum().backward()
        ce["cases"].append({"labelSmoothing": smoothing, "reduction": reduction,
                            "loss": loss.detach().flatten().tolist(), "gradient": x.grad.flatten().tolist()})
out["losses"]["crossEntropy"] = ce

bl = torch.tensor([0.0, -3.5, 2.25, 40.0, -40.0, 0.5], dtype=torch.float64)
bt = torch.tensor([0.5, 0.0, 1.0, 0.25, 1.0, 0.9], dtype=torch.float64)
x = bl.clone().requires_grad_(True)
loss = torch.nn.functional.binary_cross_entropy_with_logits(x, bt)
loss.backward()
out["losses"]["binaryCrossEntropyWithLogits"] = {"logits": bl.tolist(), "targets": bt.tolist(),
                                                  "loss": loss.item(), "gradient": x.grad.tolist()}

path = ROOT / "Tests/AttentionTrainingTests/Fixtures/training.json"
path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
print(f"wrote {path}")

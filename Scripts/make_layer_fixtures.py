#!/usr/bin/env python3
"""Writes Tests/AttentionLayersTests/Fixtures/layers.json: PyTorch (float64) forward outputs and input/parameter gradients of
the basic layers (Linear, LayerNorm, activations, GRU cell), for fixed seeds.

The tests load the same parameters and inputs into the Swift layers and compare outputs and gradients. The loss is
sum(output * cotangent) with a stored random cotangent. Rerunning regenerates the file byte for byte.

    pip install torch && python3 Scripts/make_layer_fixtures.py
"""
import json
import pathlib

import torch

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/AttentionLayersTests/Fixtures/layers.json"


def t(x):
    x = x.detach().to(torch.float64)
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


cases = []


def run(name, module, inputs, forward, **extra):
    inputs = [i.clone().requires_grad_(True) for i in inputs]
    out = forward(module, *inputs)
    cot = torch.randn_like(out)
    (out * cot).sum().backward()
    params = {k: t(v) for k, v in module.named_parameters()} if module is not None else {}
    grads = {k: t(v.grad) for k, v in module.named_parameters()} if module is not None else {}
    cases.append({"name": name, "inputs": [t(i) for i in inputs], "input_grads": [t(i.grad) for i in inputs],
                  "params": params, "param_grads": grads, "output": t(out), "cotangent": t(cot), **extra})


run("linear", torch.nn.Linear(5, 3), [torch.randn(2, 4, 5)], lambda m, x: m(x))
run("linear_nobias", torch.nn.Linear(4, 6, bias=False), [torch.randn(3, 4)], lambda m, x: m(x))
ln = torch.nn.LayerNorm(6, eps=1e-5)
with torch.no_grad():
    ln.weight.copy_(torch.randn(6)); ln.bias.copy_(torch.randn(6))
run("layernorm", ln, [torch.randn(2, 3, 6) * 3 + 1], lambda m, x: m(x), eps=1e-5)
ln12 = torch.nn.LayerNorm(8, eps=1e-12)
with torch.no_grad():
    ln12.weight.copy_(torch.randn(8)); ln12.bias.copy_(torch.randn(8))
run("layernorm_eps1e-12", ln12, [torch.randn(4, 8)], lambda m, x: m(x), eps=1e-12)
x = torch.randn(3, 7) * 3
run("relu", None, [x], lambda m, x: torch.relu(x))
run("gelu", None, [x], lambda m, x: torch.nn.functional.gelu(x))
run("gelu_tanh", None, [x], lambda m, x: torch.nn.functional.gelu(x, approximate="tanh"))
run("silu", None, [x], lambda m, x: torch.nn.functional.silu(x))
run("gru_cell", torch.nn.GRUCell(4, 3), [torch.randn(2, 4), torch.randn(2, 3)], lambda m, x, h: m(x, h))

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({"generator": "Scripts/make_layer_fixtures.py", "torch": torch.__version__.split("+")[0],
                           "cases": cases}, indent=1, sort_keys=True) + "\n")
print(f"wrote {OUT} ({len(cases)} cases)")

#!/usr/bin/env python3
"""Fixtures for BahdanauAttention: the seed tutorial's PyTorch module (Wa, Ua as nn.Linear, va a vector),
run in float64 on fixed random values, with one padded sentence, plus gradients.

    python3 Scripts/make_bahdanau_fixtures.py     # writes Tests/AttentionTests/Fixtures/bahdanau.json

The seed's module takes encoder outputs [S, B, H] and has no padding mask; the mask here is the usual −inf fill
before the softmax. Regenerates the file byte for byte.
"""
import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parent.parent
torch.manual_seed(1121)


class SeedBahdanau(nn.Module):
    """The seed's BahdanauAttention (query and key sizes allowed to differ), plus an optional length mask."""

    def __init__(self, qdim, kdim, hidden):
        super().__init__()
        self.Wa = nn.Linear(qdim, hidden)
        self.Ua = nn.Linear(kdim, hidden)
        self.va = nn.Parameter(torch.randn(hidden) * 0.5)

    def forward(self, decoder_hidden, encoder_outputs, lengths):
        s = encoder_outputs.size(0)
        q = self.Wa(decoder_hidden).unsqueeze(0).expand(s, -1, -1)
        scores = torch.matmul(torch.tanh(self.Ua(encoder_outputs) + q), self.va)        # [S, B]
        pad = torch.arange(s).unsqueeze(1) >= torch.tensor(lengths).unsqueeze(0)         # [S, B]
        scores = scores.masked_fill(pad, float("-inf"))
        weights = F.softmax(scores, dim=0)
        context = torch.sum(weights.unsqueeze(2) * encoder_outputs, dim=0)               # [B, K]
        return context, weights


qdim, kdim, hidden, b, s = 5, 6, 7, 3, 4
lengths = [4, 2, 3]
m = SeedBahdanau(qdim, kdim, hidden).double()
query = torch.randn(b, qdim, dtype=torch.float64, requires_grad=True)
keys = torch.randn(s, b, kdim, dtype=torch.float64, requires_grad=True)
context, weights = m(query, keys, lengths)
r = torch.randn(b, kdim, dtype=torch.float64)
(context * r).sum().backward()


def flat(t):
    return t.detach().flatten().tolist()


out = {
    "sizes": {"queryDim": qdim, "keyDim": kdim, "hidden": hidden, "batch": b, "length": s},
    "lengths": lengths,
    "parameters": {k: flat(v) for k, v in m.state_dict().items()},
    "query": flat(query),
    "keys": flat(keys.transpose(0, 1)),            # batch-first [B, S, K]
    "context": flat(context),
    "weights": flat(weights.transpose(0, 1)),      # [B, S]
    "cotangent": flat(r),
    "gradQuery": flat(query.grad),
    "gradKeys": flat(keys.grad.transpose(0, 1)),
    "gradParameters": {k: flat(v.grad) for k, v in m.named_parameters()},
}
path = ROOT / "Tests/AttentionTests/Fixtures/bahdanau.json"
path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
print(f"wrote {path}")

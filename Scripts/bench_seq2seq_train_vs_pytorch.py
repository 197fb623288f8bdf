#!/usr/bin/env python3
"""The training step of a Transformer translator, ours (`attention bench seq2seq-train --json`) against the same model
and step in PyTorch, in one run, alternating rounds, the same thread count on both sides.

The model (both sides): embeddings ·√D + sinusoidal positions, nn.Transformer (post-norm, ReLU, dropout 0, both final
norms, batch_first), a generator; teacher-forced cross-entropy ignoring pad (0); clip_grad_norm_(1.0); AdamW
(lr 1e-4, betas 0.9/0.98, eps 1e-9). The batch is the formula of `attention bench seq2seq-train --help`, rebuilt here
identically. Tokens per second count the non-pad source and target tokens of a step.

    swift build -c release && python3 Scripts/bench_seq2seq_train_vs_pytorch.py [--threads 1] [--rounds 3] [--iterations 10]
        [--batch 64 --min-length 12 --max-length 20 --dim 256 --heads 4 --layers 3 --feed-forward 1024 --vocabulary 1000]
        [--markdown]

OPENBLAS_CORETYPE is unset for PyTorch (this sandbox sets it to Haswell). Each side reports its median step over
--iterations timed steps after one warm-up step; the table shows the median over rounds.
"""
import argparse
import json
import math
import os
import pathlib
import platform
import statistics
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--iterations", type=int, default=10)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--min-length", type=int, default=12)
parser.add_argument("--max-length", type=int, default=20)
parser.add_argument("--dim", type=int, default=256)
parser.add_argument("--heads", type=int, default=4)
parser.add_argument("--layers", type=int, default=3, help="encoder and decoder layers each")
parser.add_argument("--feed-forward", type=int, default=1024)
parser.add_argument("--vocabulary", type=int, default=1000)
parser.add_argument("--markdown", action="store_true")
parser.add_argument("--binary", default=str(ROOT / ".build/release/attention"))
args = parser.parse_args()
os.environ.pop("OPENBLAS_CORETYPE", None)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)


def pairs(b, lo, hi, v):
    """The formula batch of Seq2SeqTrainBenchmark.pairs: pad 0, BOS 1."""
    span = hi - lo + 1
    s = [lo + (7 * i) % span for i in range(b)]
    t = [lo + (11 * i + 3) % span for i in range(b)]
    src = [[2 + (31 * i + 17 * j) % (v - 2) if j < s[i] else 0 for j in range(max(s))] for i in range(b)]
    tgt = [[1] + [2 + (13 * i + 29 * j) % (v - 2) if j < t[i] else 0 for j in range(max(t))] for i in range(b)]
    return torch.tensor(src), torch.tensor(tgt)


def sinusoid(length, d):
    pos = torch.arange(length, dtype=torch.float64)[:, None]
    i = torch.arange(d, dtype=torch.float64)[None, :]
    angle = pos / torch.pow(10000.0, (2 * torch.div(i, 2, rounding_mode="floor")) / d)
    return torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle)).to(torch.float32)


class Seq2Seq(torch.nn.Module):
    def __init__(self, v, d, h, layers, ff):
        super().__init__()
        self.d = d
        self.src_emb = torch.nn.Embedding(v, d)
        self.tgt_emb = torch.nn.Embedding(v, d)
        self.transformer = torch.nn.Transformer(d, h, layers, layers, ff, dropout=0.0, activation="relu", batch_first=True)
        self.generator = torch.nn.Linear(d, v)

    def forward(self, src, tgt_in):
        x = self.src_emb(src) * math.sqrt(self.d) + sinusoid(src.shape[1], self.d)
        y = self.tgt_emb(tgt_in) * math.sqrt(self.d) + sinusoid(tgt_in.shape[1], self.d)
        t = tgt_in.shape[1]
        causal = torch.ones(t, t, dtype=torch.bool).triu(1)
        h = self.transformer(x, y, tgt_mask=causal, src_key_padding_mask=src == 0, tgt_key_padding_mask=tgt_in == 0,
                             memory_key_padding_mask=src == 0)
        return self.generator(h)


def theirs():
    torch.manual_seed(0)
    src, tgt = pairs(args.batch, args.min_length, args.max_length, args.vocabulary)
    model = Seq2Seq(args.vocabulary, args.dim, args.heads, args.layers, args.feed_forward)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-9)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(src, tgt[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, 1:].reshape(-1), ignore_index=0)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    first = step()
    assert math.isfinite(first) and abs(first - math.log(args.vocabulary)) < 3, f"PyTorch first loss {first}"
    samples, cpu = [], []
    for _ in range(args.iterations):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    tokens = int((src != 0).sum() + (tgt != 0).sum())
    return statistics.median(samples), statistics.median(cpu), tokens, first


def ours():
    cmd = [args.binary, "bench", "seq2seq-train", "--batch", str(args.batch), "--min-length", str(args.min_length),
           "--max-length", str(args.max_length), "--dim", str(args.dim), "--heads", str(args.heads),
           "--encoder-layers", str(args.layers), "--decoder-layers", str(args.layers), "--feed-forward", str(args.feed_forward),
           "--vocabulary", str(args.vocabulary), "--threads", str(args.threads), "--iterations", str(args.iterations), "--json"]
    r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    return r["median_ms"], r["median_cpu_ms"], r["tokens_per_step"], r["first_loss"], r["kernel"]


def main():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    print(f"CPU: {cpu}; PyTorch {torch.__version__} ({torch.backends.cpu.get_cpu_capability()}), {args.threads} thread(s)")
    mine, peer, mine_cpu, peer_cpu = [], [], [], []
    for r in range(args.rounds):
        m, mc, tokens, first, kernel = ours()
        p, pc, ptokens, pfirst = theirs()
        assert tokens == ptokens, f"token counts differ: ours {tokens}, PyTorch {ptokens} (the batch formula drifted)"
        mine.append(m); peer.append(p); mine_cpu.append(mc); peer_cpu.append(pc)
        print(f"  round {r + 1}: ours {m:.1f} ms wall / {mc:.1f} ms CPU ({tokens / m * 1000:.0f} tokens/s, first loss {first:.3f}, "
              f"kernel {kernel}); PyTorch {p:.1f} ms wall / {pc:.1f} ms CPU ({tokens / p * 1000:.0f} tokens/s, first loss {pfirst:.3f})")
    m, p = statistics.median(mine), statistics.median(peer)
    mc, pc = statistics.median(mine_cpu), statistics.median(peer_cpu)
    shape = (f"B{args.batch} len {args.min_length}-{args.max_length} D{args.dim} H{args.heads} {args.layers}+{args.layers} "
             f"F{args.feed_forward} V{args.vocabulary}")
    if args.markdown:
        print("| shape | threads | ours ms/step | ours tokens/s | PyTorch ms/step | PyTorch tokens/s | ours / PyTorch (wall) | (CPU time) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        print(f"| {shape} | {args.threads} | {m:.1f} | {tokens / m * 1000:.0f} | {p:.1f} | {tokens / p * 1000:.0f} | {p / m:.2f}× | {pc / mc:.2f}× |")
    else:
        print(f"{shape}: ours {tokens / m * 1000:.0f} tokens/s, PyTorch {tokens / p * 1000:.0f} tokens/s: {p / m:.2f}× PyTorch "
              f"(CPU time per step: ours {mc:.0f} ms, PyTorch {pc:.0f} ms: {pc / mc:.2f}×)")


if __name__ == "__main__":
    main()

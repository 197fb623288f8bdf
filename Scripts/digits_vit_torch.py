#!/usr/bin/env python3
"""The Vision Transformer of `attention digits train`, written in PyTorch, for the side-by-side figures in BENCHMARKS.md.

Same data (the UCI digits CSV of Scripts/fetch-digits.sh), same split (rows 0-1399 train, 10 % of them held out for
validation; rows 1400-1796 test, never trained on), same model and the same training recipe as the defaults of
`attention digits train`:

    tokens   2x2 patches each read with a 1-pixel border (4x4 windows, zeros outside), pixels / 16     [B, 16, 16]
    embed    Linear(16, D) + learned row and column positions; a [CLS] token with its own position  [B, 17, D]
    encoder  L pre-norm blocks: multi-head self-attention, GELU feed-forward 2D, no dropout
    head     LayerNorm of the [CLS] state, Linear(D, 10)
    train    AdamW (lr 2e-3, weight decay 0.05), linear warm-up over min(100, steps/10) steps then cosine decay to
             lr/50, gradient-norm clip 1.0, batches of 64 drawn epoch by epoch without replacement, each image moved by
             a random affine map (shift <= 1 px, rotation <= 12 deg, scale 1 +- 0.1, bilinear, zeros outside);
             the model returned is the bias-corrected moving average of the weights, m = b*m + (1-b)*w after
             each step t, m starting at 0, average = m / (1 - b^t), b = 0.999 (ParameterAverage in Sources/AttentionTraining)

The random streams differ from the Swift ones (the split, the initial weights, the batches), so the two runs are the same
experiment, not the same bits: compare accuracies over a few seeds.

    python3 Scripts/digits_vit_torch.py [--steps 2500] [--seed 1] [--threads 2] [--average-decay 0.999] [--json]

Prints the test accuracy and the training time (the loop only: data loading and evaluation excluded).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn


def load_digits(path):
    rows = np.loadtxt(path, delimiter=",")
    if rows.shape != (1797, 65):
        sys.exit(f"{path}: expected 1797 rows of 65 values, found {rows.shape}")
    return rows[:, :64].reshape(-1, 8, 8), rows[:, 64].astype(np.int64)


def affine(images, generator, shift=1.0, rotation=12.0, scale=0.1):
    """The training augmentation of VisionTransformer.transformed, vectorised: images [B, H, W] -> [B, H, W]."""
    b, h, w = images.shape
    u = torch.rand(b, 4, generator=generator, dtype=torch.float64) * 2 - 1
    dy, dx = u[:, 0] * shift, u[:, 1] * shift
    angle = u[:, 2] * rotation * math.pi / 180
    s = 1 + u[:, 3] * scale
    cos_a, sin_a = torch.cos(angle) / s, torch.sin(angle) / s
    cy, cx = (h - 1) / 2, (w - 1) / 2
    r = torch.arange(h, dtype=torch.float64).view(1, h, 1)
    c = torch.arange(w, dtype=torch.float64).view(1, 1, w)
    y = r - cy - dy.view(b, 1, 1)
    x = c - cx - dx.view(b, 1, 1)
    sy = cos_a.view(b, 1, 1) * y - sin_a.view(b, 1, 1) * x + cy
    sx = sin_a.view(b, 1, 1) * y + cos_a.view(b, 1, 1) * x + cx
    y0, x0 = torch.floor(sy), torch.floor(sx)
    fy, fx = sy - y0, sx - x0
    y0, x0 = y0.long(), x0.long()
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2))   # zeros outside; the map moves a point < 2 px out
    batch = torch.arange(b).view(b, 1, 1)

    def pixel(yy, xx):
        yy, xx = (yy + 2).clamp(0, h + 3), (xx + 2).clamp(0, w + 3)
        return padded[batch, yy, xx]

    return ((1 - fy) * ((1 - fx) * pixel(y0, x0) + fx * pixel(y0, x0 + 1))
            + fy * ((1 - fx) * pixel(y0 + 1, x0) + fx * pixel(y0 + 1, x0 + 1)))


class DigitsViT(nn.Module):
    def __init__(self, patch=2, context=1, dim=64, layers=3, heads=4, ff=128, classes=10, size=8):
        super().__init__()
        self.patch, self.context, self.grid = patch, context, size // patch
        window = patch + 2 * context
        self.embed = nn.Linear(window * window, dim)
        self.cls = nn.Parameter(torch.randn(dim) * 0.02)
        self.cls_pos = nn.Parameter(torch.randn(dim) * 0.02)
        self.rows = nn.Parameter(torch.randn(self.grid, dim) * 0.02)
        self.cols = nn.Parameter(torch.randn(self.grid, dim) * 0.02)
        block = nn.TransformerEncoderLayer(dim, heads, ff, dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def tokens(self, images):                                   # [B, 8, 8] in 0..16
        p, c = self.patch, self.context
        x = torch.nn.functional.pad(images / 16, (c, c, c, c))
        windows = x.unfold(1, p + 2 * c, p).unfold(2, p + 2 * c, p)   # [B, 4, 4, 4, 4]
        return windows.reshape(images.shape[0], self.grid * self.grid, -1)

    def forward(self, images):
        b, d = images.shape[0], self.cls.shape[0]
        pos = (self.rows.view(self.grid, 1, d) + self.cols.view(1, self.grid, d)).view(1, -1, d)
        x = self.embed(self.tokens(images)) + pos                                    # [B, N, D]
        cls = (self.cls + self.cls_pos).view(1, 1, d).expand(b, 1, d)
        x = self.encoder(torch.cat([cls, x], dim=1))                                 # [B, N+1, D]
        return self.head(self.norm(x[:, 0]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.environ.get("ATTENTION_DIGITS")
                    or os.path.expanduser("~/.cache/attention/digits/digits.csv"))
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--average-decay", type=float, default=0.999, help="0: keep the last step's weights")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    images, labels = load_digits(args.data)
    images = torch.tensor(images, dtype=torch.float32)
    labels = torch.tensor(labels)
    generator = torch.Generator().manual_seed(args.seed + 3)
    order = torch.randperm(1400, generator=torch.Generator().manual_seed(args.seed + 1))
    held = round(1400 * 0.1)
    train_rows, val_rows = order[held:], order[:held]
    test_x, test_y = images[1400:], labels[1400:]

    model = DigitsViT()
    average = [torch.zeros_like(p, dtype=torch.float64) for p in model.parameters()]
    steps, peak = args.steps, 2e-3
    warmup = min(100, steps // 10)
    optimizer = torch.optim.AdamW(model.parameters(), lr=peak, weight_decay=0.05)

    def rate(step):
        if step <= warmup:
            return step / max(warmup, 1)
        progress = (step - warmup) / (steps - warmup)
        low = 1 / 50
        return low + (1 - low) * 0.5 * (1 + math.cos(math.pi * progress))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: rate(i + 1))
    loss_fn = nn.CrossEntropyLoss()
    batch_gen = torch.Generator().manual_seed(args.seed + 2)
    queue, average_steps = [], []
    start = time.perf_counter()
    model.train()
    for _ in range(steps):
        if len(queue) < 64:
            queue += train_rows[torch.randperm(len(train_rows), generator=batch_gen)].tolist()
        rows, queue = queue[:64], queue[64:]
        x = affine(images[rows].double(), generator).float()
        loss = loss_fn(model(x), labels[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if args.average_decay > 0:
            b = args.average_decay
            average_steps.append(len(average_steps) + 1)
            with torch.no_grad():
                for a, p in zip(average, model.parameters()):
                    a.mul_(b).add_(p.detach().double(), alpha=1 - b)
    seconds = time.perf_counter() - start
    if args.average_decay > 0:
        correction = 1 - args.average_decay ** len(average_steps)
        with torch.no_grad():
            for a, p in zip(average, model.parameters()):
                p.copy_((a / correction).float())
    model.eval()
    with torch.no_grad():
        accuracy = (model(test_x).argmax(-1) == test_y).float().mean().item()
        val_accuracy = (model(images[val_rows]).argmax(-1) == labels[val_rows]).float().mean().item()
    record = {"peer": f"pytorch {torch.__version__}", "cpu_capability": torch.backends.cpu.get_cpu_capability(),
              "threads": args.threads, "steps": steps, "seed": args.seed, "average_decay": args.average_decay, "test_images": len(test_y),
              "accuracy": accuracy, "validation_accuracy": val_accuracy, "training_seconds": seconds}
    if args.json:
        print(json.dumps(record))
    else:
        print(f"PyTorch {torch.__version__} ({record['cpu_capability']}, {args.threads} threads): "
              f"{steps} steps in {seconds:.1f} s; test accuracy {accuracy:.4f} on {len(test_y)} images "
              f"(validation {val_accuracy:.4f})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""How far can a single-digit classifier go on the UCI digits' test rows (1400-1796) when trained on rows 0-1399?

A feasibility figure for the captioner (issue 10): a 3-digit strip is exactly right only when all three digits are,
so 95 % exact match needs about 0.95 ** (1/3) = 98.3 % per digit. This script measures what strong single-digit
classifiers reach on the same rows, each with and without augmentation of the training images:

  * SVM with an RBF kernel (scikit-learn), C and gamma chosen by 5-fold cross-validation on rows 0-1399 only;
  * a small CNN (PyTorch, 2 conv layers + 1 hidden layer), a fixed recipe (no tuning on the test rows).

Augmentation: ±1-pixel shifts, rotations up to ±12°, scale 1 ± 0.1 (bilinear, on the 8×8 grid, clipped to 0-16), and,
for the "+elastic" rows, a small elastic distortion. The SVM sees a fixed set of augmented copies; the CNN sees a new
augmented copy of every image at every epoch.

    Scripts/digits_ceiling.py [--csv PATH] [--seed 1] [--copies 9] [--epochs 60] [--only CNN] [--elastic 1]

Prints one line per classifier: accuracy on the 397 test rows and the implied 3-digit exact match (accuracy cubed).
The library never needs this script; it only measures a ceiling.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy import ndimage
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC


def load(path):
    data = np.loadtxt(path, delimiter=",")
    return data[:, :64].reshape(-1, 8, 8), data[:, 64].astype(int)


def affine(image, rng, shift=1.0, degrees=12.0, scale=0.1):
    """One random small affine map of an 8×8 image about its centre (bilinear, zeros outside)."""
    angle = np.deg2rad(rng.uniform(-degrees, degrees))
    s = 1 + rng.uniform(-scale, scale)
    dy, dx = rng.uniform(-shift, shift, size=2)
    # output pixel o reads input m @ (o - c - t) + c, m = rotation / scale
    m = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) / s
    c = np.array([3.5, 3.5])
    offset = c - m @ (c + np.array([dy, dx]))
    return np.clip(ndimage.affine_transform(image, m, offset=offset, order=1, mode="constant"), 0, 16)


def elastic(image, rng, alpha=1.0, sigma=1.5):
    """A small elastic distortion: a smooth random displacement field of about `alpha` pixels."""
    dy = ndimage.gaussian_filter(rng.uniform(-1, 1, (8, 8)), sigma) * alpha / 0.2
    dx = ndimage.gaussian_filter(rng.uniform(-1, 1, (8, 8)), sigma) * alpha / 0.2
    y, x = np.meshgrid(np.arange(8), np.arange(8), indexing="ij")
    return np.clip(ndimage.map_coordinates(image, [y + dy, x + dx], order=1, mode="constant"), 0, 16)


ELASTIC = 1.0   # --elastic: the distortion's size


def augment(images, rng, use_elastic):
    out = np.stack([affine(im, rng) for im in images])
    if use_elastic:
        out = np.stack([elastic(im, rng, alpha=ELASTIC) for im in out])
    return out


def svm(train_x, train_y, test_x, test_y, rng, copies, use_aug, use_elastic):
    search = GridSearchCV(SVC(kernel="rbf"), {"C": [1, 3, 10, 30], "gamma": [0.0005, 0.001, 0.002, 0.004]}, cv=5)
    search.fit(train_x.reshape(len(train_x), -1), train_y)
    x, y = train_x, train_y
    if use_aug:
        x = np.concatenate([train_x] + [augment(train_x, rng, use_elastic) for _ in range(copies)])
        y = np.concatenate([train_y] * (copies + 1))
    model = SVC(kernel="rbf", **search.best_params_).fit(x.reshape(len(x), -1), y)
    accuracy = (model.predict(test_x.reshape(len(test_x), -1)) == test_y).mean()
    return accuracy, search.best_params_


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 3, padding=1)
        self.c2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 4 * 4, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.out(F.dropout(F.relu(self.fc(x.flatten(1))), 0.3, self.training))


def cnn(train_x, train_y, test_x, test_y, rng, epochs, use_aug, use_elastic, seed):
    torch.manual_seed(seed)
    model = CNN()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=epochs * ((len(train_x) + 63) // 64))
    y = torch.tensor(train_y)
    for _ in range(epochs):
        x = augment(train_x, rng, use_elastic) if use_aug else train_x
        x = torch.tensor(x / 16, dtype=torch.float32).unsqueeze(1)
        order = torch.randperm(len(x))
        model.train()
        for i in range(0, len(x), 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
            sched.step()
    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(test_x / 16, dtype=torch.float32).unsqueeze(1)).argmax(1).numpy()
    return (pred == test_y).mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", default=os.path.join(os.environ.get("ATTENTION_CACHE", os.path.expanduser("~/.cache/attention")),
                                                      "digits", "digits.csv"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--only", default="", help="run only the classifiers whose name contains this (e.g. CNN)")
    parser.add_argument("--elastic", type=float, default=1.0, help="size of the elastic distortion (1: about a pixel)")
    args = parser.parse_args()
    global ELASTIC
    ELASTIC = args.elastic
    torch.set_num_threads(1)   # the network is tiny: a second thread only waits, badly so on a shared machine
    images, labels = load(args.csv)
    train_x, train_y, test_x, test_y = images[:1400], labels[:1400], images[1400:], labels[1400:]
    for name, kind, aug, el in [("SVM-RBF", "svm", False, False), ("SVM-RBF + shift/rotate/scale", "svm", True, False),
                                ("SVM-RBF + shift/rotate/scale + elastic", "svm", True, True),
                                ("CNN", "cnn", False, False), ("CNN + shift/rotate/scale", "cnn", True, False),
                                ("CNN + shift/rotate/scale + elastic", "cnn", True, True)]:
        if args.only not in name:
            continue
        rng = np.random.default_rng(args.seed)
        start = time.time()
        extra = ""
        if kind == "svm":
            accuracy, params = svm(train_x, train_y, test_x, test_y, rng, args.copies, aug, el)
            extra = f"  C={params['C']} gamma={params['gamma']}"
        else:
            accuracy = cnn(train_x, train_y, test_x, test_y, rng, args.epochs, aug, el, args.seed)
        print(f"{name:40s} test accuracy {accuracy:.4f} ({round(accuracy * 397)}/397)  implied 3-digit exact {accuracy ** 3:.4f}"
              f"  {time.time() - start:.0f} s{extra}", flush=True)


if __name__ == "__main__":
    main()

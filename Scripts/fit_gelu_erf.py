#!/usr/bin/env python3
"""Fits the two polynomials of the vectorised exact GELU in Sources/AttentionCKernels/rowops_impl.h and prints them as C.

    python3 Scripts/fit_gelu_erf.py

GELU(x) = x/2 * (1 + erf(u)), u = x/sqrt(2). The kernel evaluates
  |u| <  0.5: erf(u) = u * A(u^2)                        (A: degree 5 in u^2)
  |u| >= 0.5: erfc(t) = exp(-t^2) * B(s), t = |u|, s = 2/(2+t), t clamped to [0.5, 10.5] (B: degree 9 in s)
and forms 1 + erf(u) as 2 - erfc(t) for u > 0 and erfc(t) for u < 0, so both tails keep their relative accuracy.
The fit is weighted least squares on Chebyshev nodes with Lawson reweighting (close to minimax) against
scipy's erf / erfcx in double precision; the coefficients are rounded to float, and the printed error bound is
the relative error of the float-coefficient polynomial evaluated in double.
Needs: numpy, scipy. The printed block is pasted into rowops_impl.h; re-running prints the same numbers.
"""
import numpy as np
from scipy.special import erf, erfcx


def fit(f, a, b, deg, var, n=4000, rounds=60):
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n) * (b - a) / 2 + (a + b) / 2
    y = f(t)
    X = np.vander(var(t), deg + 1, increasing=True)
    w = 1 / np.abs(y)
    fixed = []
    # Coefficients are rounded to float one at a time, lowest first; the rest are refitted to absorb the rounding.
    for k in range(deg + 1):
        r = y - X[:, :k] @ np.array(fixed) if fixed else y
        ww = np.ones_like(y)
        for _ in range(rounds):
            c = np.linalg.lstsq(X[:, k:] * (w * ww)[:, None], r * w * ww, rcond=None)[0]
            e = (X[:, k:] @ c - r) * w
            ww *= np.abs(e) ** 0.5 + 1e-30
            ww /= ww.max()
        fixed.append(float(np.float32(c[0])))
    c32 = np.array(fixed)
    return c32, np.abs((X @ c32 - y) * w).max()


a, ea = fit(lambda u: erf(u) / u, 1e-6, 0.5, 5, lambda u: u * u)
b, eb = fit(erfcx, 0.5, 10.5, 9, lambda t: 2 / (2 + t))
print(f"// erf(u)/u = A(u^2) on |u| < 0.5, max relative error {ea:.2e} (float coefficients)")
for i, c in enumerate(a):
    print(f"#define RO_ERF_A{i} {float(np.float32(c)).hex()}f  // {c:.9e}")
print(f"// erfc(t) exp(t^2) = B(2/(2+t)) on [0.5, 10.5], max relative error {eb:.2e} (float coefficients)")
for i, c in enumerate(b):
    print(f"#define RO_ERFC_B{i} {float(np.float32(c)).hex()}f  // {c:.9e}")

#!/usr/bin/env python3
"""Side-by-side attention benchmark: `attention bench attention` (ours) against PyTorch's CPU
`torch.nn.functional.scaled_dot_product_attention`, on the same shapes, thread counts and machine, in one run.

For every configuration the two runs alternate (ours, PyTorch, ours, PyTorch, ...) so that a change in machine
load hits both; each side reports the median of its timed runs and the table shows the ratio PyTorch / ours
(> 1 means ours is faster). GFLOP/s use FlashAttention's convention: forward 4*B*H*N^2*E, backward 2.5x that
(a timed forward + backward counts 3.5x), causal halves both.

PyTorch runs in a child process with OPENBLAS_CORETYPE removed from the environment (the sandbox exports
OPENBLAS_CORETYPE=Haswell, which halves OpenBLAS) and torch.set_num_threads(T). Never run by CI.

Usage:
    swift build -c release
    python3 Scripts/bench_vs_pytorch.py                 # the issue's table
    python3 Scripts/bench_vs_pytorch.py --markdown      # the same, as a Markdown table for BENCHMARKS.md
    python3 Scripts/bench_vs_pytorch.py --rounds 5 --config "1 8 2048 64 causal backward 2"
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

# (batch, heads, seq, head_dim, causal, backward, threads): the "Must show" rows of issue 4.
DEFAULT_CONFIGS = [
    (1, 8, 1024, 64, False, False, 1),
    (1, 8, 4096, 64, False, False, 1),
    (1, 8, 4096, 64, True, False, 1),
    (1, 8, 4096, 64, False, False, 2),
    (1, 8, 2048, 64, False, True, 1),
    (1, 8, 2048, 64, True, True, 2),
]

TORCH_CHILD = r"""
import json, sys, time
import torch
import torch.nn.functional as F
b, h, n, e, causal, backward, threads, iterations = json.loads(sys.argv[1])
torch.set_num_threads(threads)
torch.manual_seed(0)
q, k, v, g = (torch.randn(b, h, n, e) for _ in range(4))
if backward:
    for t in (q, k, v):
        t.requires_grad_(True)
def once():
    if backward:
        for t in (q, k, v):
            t.grad = None
        F.scaled_dot_product_attention(q, k, v, is_causal=causal).backward(g)
    else:
        with torch.no_grad():
            F.scaled_dot_product_attention(q, k, v, is_causal=causal)
once()
samples = []
for _ in range(iterations):
    t0 = time.perf_counter()
    once()
    samples.append((time.perf_counter() - t0) * 1e3)
samples.sort()
print(json.dumps({"median_ms": samples[len(samples) // 2], "torch": torch.__version__,
                  "cpu_capability": torch.backends.cpu.get_cpu_capability(),
                  "threads": torch.get_num_threads()}))
"""


def flops(b, h, n, e, causal, backward):
    f = 4.0 * b * h * n * n * e
    return f * (3.5 if backward else 1.0) * (0.5 if causal else 1.0)


def iterations_for(n, backward):
    work = n * n * (3.5 if backward else 1)
    return 3 if work > 8e6 else 10


def run_ours(binary, cfg, iterations):
    b, h, n, e, causal, backward, threads = cfg
    cmd = [binary, "bench", "attention", "--batch", str(b), "--heads", str(h), "--seq", str(n), "--head-dim", str(e),
           "--threads", str(threads), "--iterations", str(iterations), "--json"]
    if causal:
        cmd.append("--causal")
    if backward:
        cmd.append("--backward")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_torch(cfg, iterations):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    b, h, n, e, causal, backward, threads = cfg
    args = json.dumps([b, h, n, e, causal, backward, threads, iterations])
    out = subprocess.run([sys.executable, "-c", TORCH_CHILD, args], check=True, capture_output=True, text=True,
                         env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def parse_config(text):
    p = text.split()
    return (int(p[0]), int(p[1]), int(p[2]), int(p[3]), "causal" in p, "backward" in p, int(p[-1]))


def describe(cfg):
    b, h, n, e, causal, backward, threads = cfg
    return (f"B{b} H{h} N{n} E{e}" + (" causal" if causal else "") + (" fwd+bwd" if backward else " fwd"), threads)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "attention"))
    ap.add_argument("--config", action="append", help='"B H N E [causal] [backward] THREADS" (repeatable)')
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds per configuration (median taken)")
    ap.add_argument("--memory-seq", type=int, default=32768,
                    help="N of the single-head E=64 forward whose peak RSS is reported (0: skip)")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    configs = [parse_config(c) for c in args.config] if args.config else DEFAULT_CONFIGS

    rows = []
    meta = {}
    for cfg in configs:
        it = iterations_for(cfg[2], cfg[5])
        ours, theirs = [], []
        for _ in range(args.rounds):
            o = run_ours(args.binary, cfg, it)
            t = run_torch(cfg, it)
            ours.append(o["median_ms"])
            theirs.append(t["median_ms"])
            meta = {"kernel": o["kernel"], "path": o["path"], "torch": t["torch"], "cpu_capability": t["cpu_capability"]}
        om, tm = statistics.median(ours), statistics.median(theirs)
        f = flops(*cfg[:6])
        name, threads = describe(cfg)
        rows.append({"config": name, "threads": threads, "ours_ms": om, "torch_ms": tm, "ratio": tm / om,
                     "ours_gflops": f / (om * 1e6), "torch_gflops": f / (tm * 1e6)})
        if not args.json and not args.markdown:
            print(f"{name:<28} T{threads}  ours {om:9.2f} ms  torch {tm:9.2f} ms  ratio {tm / om:5.2f}x", file=sys.stderr)

    memory = None
    if args.memory_seq:
        m = run_ours(args.binary, (1, 1, args.memory_seq, 64, False, False, 1), 1)
        memory = {"seq": args.memory_seq, "peak_rss_mib": m["peak_rss_mib"], "median_ms": m["median_ms"]}

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    header = {"cpu": cpu, "cores": os.cpu_count(), "ours_kernel": meta.get("kernel"), "ours_path": meta.get("path"),
              "torch": meta.get("torch"), "torch_cpu_capability": meta.get("cpu_capability"),
              "OPENBLAS_CORETYPE_for_torch": "unset", "rounds": args.rounds}
    if args.json:
        print(json.dumps({"machine": header, "rows": rows, "memory": memory}, indent=2))
        return
    print(f"Machine: {cpu}, {os.cpu_count()} cores; ours: {header['ours_path']} path, {header['ours_kernel']} kernels; "
          f"PyTorch {header['torch']} ({header['torch_cpu_capability']}), OPENBLAS_CORETYPE unset; "
          f"median of {args.rounds} alternating rounds")
    if args.markdown:
        print()
        print("| configuration (fp32) | threads | ours ms | PyTorch ms | PyTorch / ours | ours GFLOP/s | PyTorch GFLOP/s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['config']} | {r['threads']} | {r['ours_ms']:.2f} | {r['torch_ms']:.2f} | {r['ratio']:.2f}x | "
                  f"{r['ours_gflops']:.1f} | {r['torch_gflops']:.1f} |")
    else:
        print(f"{'configuration':<28} {'T':>2} {'ours ms':>10} {'torch ms':>10} {'ratio':>7} {'ours GF/s':>10} {'torch GF/s':>11}")
        for r in rows:
            print(f"{r['config']:<28} {r['threads']:>2} {r['ours_ms']:>10.2f} {r['torch_ms']:>10.2f} {r['ratio']:>6.2f}x "
                  f"{r['ours_gflops']:>10.1f} {r['torch_gflops']:>11.1f}")
    if memory:
        print(f"\nPeak RSS of `attention bench attention --heads 1 --seq {memory['seq']} --head-dim 64 --iterations 1`: "
              f"{memory['peak_rss_mib']:.1f} MiB (forward {memory['median_ms']:.0f} ms)")


if __name__ == "__main__":
    main()

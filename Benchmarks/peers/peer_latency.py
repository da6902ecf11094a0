#!/usr/bin/env python3
"""Inference latency of the standard MLP in numpy and PyTorch, beside `mlp-bench infer`.

Network 784-256-128-10, ReLU, softmax, float32, weights [out, in] (He-normal, seeded).
For each thread count and batch size (1, 8, 64, 1024), single calls of a forward pass +
softmax are timed one by one, the implementations in turn call by call (so a passing load
hits them alike), and the median and 99th percentile of each are printed:

    PEERS_PYTHON=/work/venv-peers/bin/python
    $PEERS_PYTHON Benchmarks/peers/peer_latency.py --threads 1,2

numpy keeps preallocated buffers and writes with out= (what a careful numeric app does);
PyTorch runs nn.Sequential under inference_mode. Each thread count runs in a fresh process,
since numpy's and PyTorch's thread counts are fixed when they are imported.
"""

import argparse
import json
import os
import subprocess
import sys
import time

LAYERS = (784, 256, 128, 10)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default 1,2)")
    p.add_argument("--batches", default="1,8,64,1024", help="batch sizes (default 1,8,64,1024)")
    p.add_argument("--calls", type=int, default=2000,
                   help="timed calls at batch 1 (fewer for larger batches, at least 50; default 2000)")
    p.add_argument("--json", metavar="FILE", help="also write the records as JSON to FILE")
    p.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child: one thread count
    return p.parse_args(argv)


def child(args):
    threads = args.one
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    import numpy as np
    impls = {}
    rng = np.random.default_rng(1)
    weights = []
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:]):
        w = (rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        weights.append((w, np.zeros(fan_out, np.float32)))

    def numpy_forward(x, buffers):
        a = x
        for index, (w, b) in enumerate(weights):
            z = buffers[index]
            np.matmul(a, w.T, out=z)
            z += b
            if index < len(weights) - 1:
                np.maximum(z, 0, out=z)
            a = z
        a -= a.max(axis=1, keepdims=True)
        np.exp(a, out=a)
        a /= a.sum(axis=1, keepdims=True)
        return a

    impls["numpy " + np.__version__] = ("numpy", numpy_forward)
    torch = None
    try:
        import torch
        torch.set_num_threads(threads)
        layers = []
        for index, (w, b) in enumerate(weights):
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if index < len(weights) - 1:
                layers.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*layers)

        def torch_forward(x, _buffers):
            with torch.inference_mode():
                return torch.softmax(model(x), dim=1)

        impls["torch " + torch.__version__] = ("torch", torch_forward)
    except ImportError as error:
        print("torch skipped: %s" % error, file=sys.stderr)

    records = []
    for batch in [int(b) for b in args.batches.split(",")]:
        x = rng.random((batch, LAYERS[0]), dtype=np.float32)
        inputs = {"numpy": x, "torch": torch.from_numpy(x) if torch else None}
        buffers = [np.empty((batch, fan_out), np.float32) for fan_out in LAYERS[1:]]
        reference = numpy_forward(x, [np.empty_like(b) for b in buffers]).copy()
        count = max(50, args.calls // max(1, batch // 8))
        times = {name: [] for name in impls}
        for call in range(count + count // 10):
            for name, (kind, forward) in impls.items():
                start = time.perf_counter()
                out = forward(inputs[kind], buffers)
                elapsed = time.perf_counter() - start
                if call >= count // 10:
                    times[name].append(elapsed)
        for name, (kind, forward) in impls.items():
            out = forward(inputs[kind], buffers)
            out = out.numpy() if kind == "torch" else out
            difference = float(np.abs(out - reference).max() / max(np.abs(reference).max(), 1e-30))
            ordered = sorted(times[name])
            median = ordered[len(ordered) // 2]
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            records.append({"implementation": name, "threads": threads, "batch": batch,
                            "median_us": median * 1e6, "p99_us": p99 * 1e6,
                            "samples_per_s": batch / median, "vs_numpy": difference})
    json.dump(records, sys.stdout)


def main(args):
    if args.one is not None:
        child(args)
        return 0
    records = []
    for threads in [int(t) for t in args.threads.split(",")]:
        output = subprocess.run([sys.executable, __file__, "--one", str(threads), "--batches", args.batches,
                                 "--calls", str(args.calls)], check=True, capture_output=True, text=True).stdout
        records += json.loads(output)
    print("load average at start of printing: %.2f %.2f %.2f" % os.getloadavg())
    header = ("implementation", "thr", "batch", "median us", "p99 us", "samples/s", "vs numpy")
    rows = [header] + [(r["implementation"], str(r["threads"]), str(r["batch"]), "%.1f" % r["median_us"],
                        "%.1f" % r["p99_us"], "%.0f" % r["samples_per_s"], "%.1e" % r["vs_numpy"]) for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for k, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if k == 0:
            print("  ".join("-" * w for w in widths))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(parse_args()))

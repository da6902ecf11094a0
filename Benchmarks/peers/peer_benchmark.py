#!/usr/bin/env python3
"""Peer benchmark for SwiftMLP: the standard MLP trained by numpy, PyTorch, JAX and scikit-learn.

Network: 784-256-128-10, ReLU hidden layers, softmax output with cross-entropy
(mean over the batch), plain SGD (W <- W - eta * grad, eta = 0.1), float32,
weights stored [out, in] like torch.nn.Linear.  The figures are meant to be put
beside `mlp-bench` / `mlp train` figures of SwiftMLP on the same machine.

Second network (implementation `torch-bn-dropout`, PyTorch only): the same sizes, loss
and rule with BatchNorm1d, ReLU and Dropout(0.2) after each hidden Linear; steps in
training mode, inference in eval mode.

Figures per implementation (see README.md next to this file):
  step us @32/@128/@256   microseconds per SGD training step on a fixed batch
  epoch s                 seconds per shuffled epoch over 60,000 Fashion-MNIST
                          images at batch 128, batch assembly included
  infer samples/s         forward + softmax at batch 1024
  test acc                test accuracy after the timed epochs (sanity check)

scikit-learn's MLPClassifier has no single-step API, so it gets only the epoch
(one partial_fit over the shuffled training set) and inference figures.

Thread counts must be fixed before numpy / torch / jax are imported, so this
file parses its arguments and sets the environment before any such import.
"""

import argparse
import gzip
import json
import os
import platform
import re
import statistics
import sys
import time

# --------------------------------------------------------------------------
# Arguments and thread environment (before any numerical import)
# --------------------------------------------------------------------------

IMPLEMENTATIONS = ("numpy", "torch", "jax", "sklearn", "torch-bn-dropout")
STEP_BATCHES = (32, 128, 256)
EPOCH_BATCH = 128
INFER_BATCH = 1024
LAYERS = (784, 256, 128, 10)
DROPOUT = 0.2     # the second network's Dropout probability (see TorchBatchNormDropoutMLP)
LEARNING_RATE = 0.1
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Time the standard 784-256-128-10 MLP (SGD, lr 0.1, float32) "
                    "in numpy, PyTorch and JAX, for comparison with SwiftMLP.")
    p.add_argument("--threads", type=int, default=2,
                   help="threads for BLAS / intra-op pools (default 2)")
    p.add_argument("--impl", default=",".join(IMPLEMENTATIONS),
                   help="comma-separated subset of %s (default: all; missing "
                        "frameworks are skipped with a note)" % ",".join(IMPLEMENTATIONS))
    p.add_argument("--data", default=DEFAULT_DATA,
                   help="folder with Fashion-MNIST IDX files (.gz or raw); "
                        "default %s" % DEFAULT_DATA)
    p.add_argument("--epochs", type=int, default=None,
                   help="timed epochs, median reported (default 3, --quick 1); 0 times only "
                        "the steps and inference (no epoch time, no test accuracy)")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed blocks per step/inference figure (default 7, --quick 3)")
    p.add_argument("--block-seconds", type=float, default=None,
                   help="target length of one timed block (default 0.3, --quick 0.1)")
    p.add_argument("--quick", action="store_true",
                   help="short run: 3 blocks of 0.1 s, 1 timed epoch")
    p.add_argument("--omp-wait-policy", default="auto", choices=("auto", "PASSIVE", "ACTIVE"),
                   help="OMP_WAIT_POLICY for PyTorch's OpenMP pool; auto (default) keeps the "
                        "environment's value, and unset leaves libgomp's default (spin a "
                        "while, then sleep), with which PyTorch 2.x on MKL is fastest here. "
                        "PASSIVE suits Debian's torch 1.13, whose OpenMP workers otherwise "
                        "starve its OpenBLAS threads")
    p.add_argument("--seed", type=int, default=1, help="seed for init and shuffling")
    p.add_argument("--json", metavar="FILE", help="also write the records as JSON to FILE")
    p.add_argument("--check", action="store_true",
                   help="before timing, check that every implementation's SGD step "
                        "matches the numpy one from identical weights")
    args = p.parse_args(argv)
    if args.threads < 1:
        p.error("--threads must be >= 1")
    if args.epochs is not None and args.epochs < 0:
        p.error("--epochs must be >= 0")
    args.impl = [s.strip() for s in args.impl.split(",") if s.strip()]
    for name in args.impl:
        if name not in IMPLEMENTATIONS:
            p.error("unknown implementation %r (choose from %s)" % (name, ", ".join(IMPLEMENTATIONS)))
    if args.epochs is None:
        args.epochs = 1 if args.quick else 3
    if args.repeats is None:
        args.repeats = 3 if args.quick else 7
    if args.block_seconds is None:
        args.block_seconds = 0.1 if args.quick else 0.3
    return args


def set_thread_environment(threads, wait_policy="auto"):
    n = str(threads)
    if wait_policy != "auto":
        os.environ["OMP_WAIT_POLICY"] = wait_policy
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = n
    # XLA's CPU backend has no documented "N threads" switch; with one thread we
    # turn its Eigen pool off, otherwise it uses its default (all cores).
    if threads == 1:
        flags = os.environ.get("XLA_FLAGS", "")
        if "xla_cpu_multi_thread_eigen" not in flags:
            os.environ["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false "
                                       "intra_op_parallelism_threads=1").strip()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    set_thread_environment(ARGS.threads, ARGS.omp_wait_policy)

import numpy as np  # noqa: E402  (after the thread environment on purpose)

# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def _open_idx(folder, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    return None


def read_idx(path):
    """Read an IDX file (raw or gzip) into a numpy array of its stored type."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError("%s: not an IDX file (bad magic)" % path)
    type_code, ndim = data[2], data[3]
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4",
              0x0D: ">f4", 0x0E: ">f8"}
    if type_code not in dtypes:
        raise ValueError("%s: unknown IDX element type 0x%02x" % (path, type_code))
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    arr = np.frombuffer(data, dtype=dtypes[type_code], offset=header)
    if arr.size != int(np.prod(shape)):
        raise ValueError("%s: expected %d elements for shape %s, found %d"
                         % (path, int(np.prod(shape)), shape, arr.size))
    return arr.reshape(shape)


class Dataset:
    """uint8 images [n, 784] and uint8 labels [n], train and test."""

    def __init__(self, folder, seed):
        stems = {"train_x": "train-images-idx3-ubyte", "train_y": "train-labels-idx1-ubyte",
                 "test_x": "t10k-images-idx3-ubyte", "test_y": "t10k-labels-idx1-ubyte"}
        paths = {k: _open_idx(folder, s) for k, s in stems.items()}
        if all(paths.values()):
            self.train_x = read_idx(paths["train_x"]).reshape(-1, 784)
            self.train_y = read_idx(paths["train_y"]).astype(np.uint8)
            self.test_x = read_idx(paths["test_x"]).reshape(-1, 784)
            self.test_y = read_idx(paths["test_y"]).astype(np.uint8)
            self.source = "Fashion-MNIST from %s" % folder
            self.real = True
        else:
            rng = np.random.default_rng(seed)
            self.train_x = rng.integers(0, 256, size=(60000, 784), dtype=np.uint8)
            self.train_y = rng.integers(0, 10, size=60000, dtype=np.uint8)
            self.test_x = rng.integers(0, 256, size=(10000, 784), dtype=np.uint8)
            self.test_y = rng.integers(0, 10, size=10000, dtype=np.uint8)
            missing = [stems[k] for k, v in paths.items() if not v]
            self.source = ("RANDOM data of Fashion-MNIST's shape (no %s in %s; "
                           "accuracy is meaningless)" % (", ".join(missing), folder))
            self.real = False


class BatchAssembler:
    """Turns index lists into (pixels/255 float32 [n,784], one-hot float32 [n,10]).

    Fresh arrays are returned for each batch, so an implementation may keep
    (or asynchronously read) them; the uint8 gather goes through a reusable buffer.
    """

    def __init__(self, images, labels):
        self.images = images
        self.labels = labels
        self.scale = np.float32(1.0 / 255.0)
        self._gather = np.empty((EPOCH_BATCH, images.shape[1]), dtype=np.uint8)

    def batch(self, idx):
        n = len(idx)
        if self._gather.shape[0] < n:
            self._gather = np.empty((n, self.images.shape[1]), dtype=np.uint8)
        g = self._gather[:n]
        np.take(self.images, idx, axis=0, out=g)
        x = np.multiply(g, self.scale, dtype=np.float32)
        y = np.zeros((n, 10), dtype=np.float32)
        y[np.arange(n), self.labels[idx]] = 1.0
        return x, y


def he_normal_weights(seed):
    """He/normal weights [out, in] and zero biases, float32, as numpy arrays."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:]):
        w = (rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        params.append((w, np.zeros(fan_out, dtype=np.float32)))
    return params


# --------------------------------------------------------------------------
# Implementations.  Each one offers:
#   reset(params)            load weights (list of (W [out,in], b [out]) numpy float32)
#   to_native(x, y)          numpy batch -> whatever step/predict take
#   step(x, y)               one SGD step on a native batch
#   predict(x)               softmax probabilities (native)
#   sync(obj)                wait for asynchronous work (JAX), return obj
#   to_numpy(obj)            native array -> numpy
#   params_numpy()           current weights as numpy, for --check
# --------------------------------------------------------------------------


class NumpyMLP:
    """Hand-written batched forward/backward in numpy float32.

    Buffers are preallocated per batch size and every operation writes with out=.
    The learning rate is folded into the output delta: Delta^L = (P - Y) * eta/n,
    so the products that follow are already eta * gradient and the update is a
    plain in-place subtraction (backprop is linear in Delta^L).
    """

    name = "numpy"

    def __init__(self, threads):
        self.threads = threads
        self.version = np.__version__
        self._buffers = {}

    def reset(self, params):
        self.W = [w.copy() for w, _ in params]
        self.b = [b.copy() for _, b in params]
        self.gW = [np.empty_like(w) for w in self.W]
        self.gb = [np.empty_like(b) for b in self.b]

    def _buf(self, n):
        buf = self._buffers.get(n)
        if buf is None:
            f32 = np.float32
            h1, h2, out = LAYERS[1], LAYERS[2], LAYERS[3]
            buf = {
                "A1": np.empty((n, h1), f32), "A2": np.empty((n, h2), f32),
                "Z3": np.empty((n, out), f32),
                "D1": np.empty((n, h1), f32), "D2": np.empty((n, h2), f32),
                "D3": np.empty((n, out), f32),
                "M1": np.empty((n, h1), np.bool_), "M2": np.empty((n, h2), np.bool_),
                "rowmax": np.empty((n, 1), f32), "rowsum": np.empty((n, 1), f32),
            }
            self._buffers[n] = buf
        return buf

    @staticmethod
    def to_native(x, y):
        return x, y

    def _forward(self, x, buf):
        W, b = self.W, self.b
        A1, A2, Z3 = buf["A1"], buf["A2"], buf["Z3"]
        np.matmul(x, W[0].T, out=A1)          # Z1 = X W1^T
        A1 += b[0]
        np.maximum(A1, 0.0, out=A1)           # A1 = relu(Z1), in place
        np.matmul(A1, W[1].T, out=A2)
        A2 += b[1]
        np.maximum(A2, 0.0, out=A2)
        np.matmul(A2, W[2].T, out=Z3)
        Z3 += b[2]
        # softmax, row-wise, in place
        np.max(Z3, axis=1, keepdims=True, out=buf["rowmax"])
        Z3 -= buf["rowmax"]
        np.exp(Z3, out=Z3)
        np.sum(Z3, axis=1, keepdims=True, out=buf["rowsum"])
        Z3 /= buf["rowsum"]
        return Z3

    def step(self, x, y):
        n = x.shape[0]
        buf = self._buf(n)
        P = self._forward(x, buf)
        W, gW, gb = self.W, self.gW, self.gb
        A1, A2 = buf["A1"], buf["A2"]
        D1, D2, D3 = buf["D1"], buf["D2"], buf["D3"]
        M1, M2 = buf["M1"], buf["M2"]
        # Delta^3 = (P - Y) / n, with eta folded in
        np.subtract(P, y, out=D3)
        D3 *= np.float32(LEARNING_RATE / n)
        np.matmul(D3.T, A2, out=gW[2])        # eta dW3 = Delta3^T A2
        np.sum(D3, axis=0, out=gb[2])
        # Delta^2 = (Delta^3 W3) * relu'(Z2); relu'(Z2) = [A2 > 0]
        np.matmul(D3, W[2], out=D2)
        np.greater(A2, 0.0, out=M2)
        np.multiply(D2, M2, out=D2)
        np.matmul(D2.T, A1, out=gW[1])
        np.sum(D2, axis=0, out=gb[1])
        np.matmul(D2, W[1], out=D1)
        np.greater(A1, 0.0, out=M1)
        np.multiply(D1, M1, out=D1)
        np.matmul(D1.T, x, out=gW[0])
        np.sum(D1, axis=0, out=gb[0])
        for w, g in zip(W, gW):
            w -= g
        for b, g in zip(self.b, gb):
            b -= g

    def predict(self, x):
        return self._forward(x, self._buf(x.shape[0]))

    @staticmethod
    def sync(obj=None):
        return obj

    @staticmethod
    def to_numpy(obj):
        return obj

    def params_numpy(self):
        return [(w.copy(), b.copy()) for w, b in zip(self.W, self.b)]


class TorchMLP:
    """torch.nn.Sequential of Linear/ReLU, CrossEntropyLoss, torch.optim.SGD."""

    name = "torch"
    network = "standard"

    def __init__(self, threads):
        import torch
        self.torch = torch
        torch.set_num_threads(threads)
        try:
            torch.set_num_interop_threads(threads)
        except RuntimeError:
            pass  # only settable once, before inter-op work starts
        self.threads = torch.get_num_threads()
        self.version = torch.__version__
        torch.manual_seed(0)
        mods = []
        for i, (fan_in, fan_out) in enumerate(zip(LAYERS[:-1], LAYERS[1:])):
            mods.append(torch.nn.Linear(fan_in, fan_out))
            if i < len(LAYERS) - 2:
                mods += self.hidden(torch, fan_out)
        self.model = torch.nn.Sequential(*mods)
        self.linears = [m for m in mods if isinstance(m, torch.nn.Linear)]
        self.loss_fn = torch.nn.CrossEntropyLoss()   # mean over the batch
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE,
                                   momentum=0.0, weight_decay=0.0)

    @staticmethod
    def hidden(torch, size):
        """The modules after a hidden Linear of `size` outputs."""
        return [torch.nn.ReLU()]

    def reset(self, params):
        with self.torch.no_grad():
            for lin, (w, b) in zip(self.linears, params):
                lin.weight.copy_(self.torch.from_numpy(w))
                lin.bias.copy_(self.torch.from_numpy(b))

    def to_native(self, x, y):
        # one-hot (class-probability) targets: CrossEntropyLoss then computes
        # -mean(sum(Y * log_softmax(Z))), the same loss as the numpy network
        return self.torch.from_numpy(x), self.torch.from_numpy(y)

    def step(self, x, y):
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(x), y)
        loss.backward()
        self.opt.step()

    def predict(self, x):
        with self.torch.inference_mode():
            return self.torch.softmax(self.model(x), dim=1)

    @staticmethod
    def sync(obj=None):
        return obj

    @staticmethod
    def to_numpy(obj):
        return obj.detach().numpy()

    def params_numpy(self):
        return [(l.weight.detach().numpy().copy(), l.bias.detach().numpy().copy())
                for l in self.linears]


class TorchBatchNormDropoutMLP(TorchMLP):
    """The second network: 784-256-128-10 with BatchNorm1d, ReLU and Dropout(0.2) after each
    hidden Linear (PyTorch's usual order), softmax + cross-entropy, the same SGD rule. A step
    runs in training mode (batch statistics, running statistics updated, a fresh dropout
    mask), inference in eval mode (running statistics, no dropout); the mode is switched only
    when it changes, so a timed step pays for no module walk."""

    name = "torch-bn-dropout"
    network = "batchnorm-dropout"

    def __init__(self, threads):
        super().__init__(threads)
        self.norms = [m for m in self.model if isinstance(m, self.torch.nn.BatchNorm1d)]
        self.training = None

    @staticmethod
    def hidden(torch, size):
        return [torch.nn.BatchNorm1d(size), torch.nn.ReLU(), torch.nn.Dropout(DROPOUT)]

    def _mode(self, training):
        if self.training is not training:
            self.model.train(training)
            self.training = training

    def reset(self, params):
        super().reset(params)
        for norm in self.norms:      # PyTorch's initial state: scale 1, shift 0, statistics 0 and 1
            norm.reset_parameters()

    def step(self, x, y):
        self._mode(True)
        super().step(x, y)

    def predict(self, x):
        self._mode(False)
        return super().predict(x)


class JaxMLP:
    """JAX: jit-compiled SGD step (value-and-grad of the mean cross-entropy)."""

    name = "jax"

    def __init__(self, threads):
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_platforms", "cpu")
        self.jax, self.jnp = jax, jnp
        self.threads = threads
        self.version = jax.__version__

        def forward(params, x):
            a = x
            for i, (w, b) in enumerate(params):
                a = a @ w.T + b
                if i < len(params) - 1:
                    a = jnp.maximum(a, 0.0)
            return a

        def loss(params, x, y):
            logp = jax.nn.log_softmax(forward(params, x), axis=1)
            return -jnp.mean(jnp.sum(y * logp, axis=1))

        def sgd_step(params, x, y):
            grads = jax.grad(loss)(params, x, y)
            return jax.tree_util.tree_map(lambda p, g: p - LEARNING_RATE * g, params, grads)

        self._step = jax.jit(sgd_step, donate_argnums=0)
        self._predict = jax.jit(lambda params, x: jax.nn.softmax(forward(params, x), axis=1))
        self.params = None

    def reset(self, params):
        self.params = [(self.jnp.array(w), self.jnp.array(b)) for w, b in params]

    def to_native(self, x, y):
        return self.jnp.array(x), self.jnp.array(y)   # copies: numpy buffers may be reused

    def step(self, x, y):
        if not isinstance(x, self.jax.Array):
            x, y = self.to_native(x, y)
        self.params = self._step(self.params, x, y)

    def predict(self, x):
        if not isinstance(x, self.jax.Array):
            x = self.jnp.array(x)
        return self._predict(self.params, x)

    def sync(self, obj=None):
        self.jax.block_until_ready(self.params)
        if obj is not None:
            self.jax.block_until_ready(obj)
        return obj

    @staticmethod
    def to_numpy(obj):
        return np.asarray(obj)

    def params_numpy(self):
        return [(np.array(w), np.array(b)) for w, b in self.params]


class SklearnMLP:
    """scikit-learn's MLPClassifier with the same network and rule: ReLU, softmax with
    log-loss, plain SGD (no momentum, constant learning rate 0.1, no L2 term), batch 128,
    float32 data. Only epochs (partial_fit: one pass over shuffled mini-batches) and
    inference (predict_proba) are timed: it has no single-step API."""

    name = "sklearn"

    def __init__(self, threads):
        import sklearn
        from sklearn.neural_network import MLPClassifier
        self.version = sklearn.__version__
        self.threads = threads
        self.factory = lambda seed: MLPClassifier(
            hidden_layer_sizes=LAYERS[1:-1], activation="relu", solver="sgd", alpha=0.0,
            batch_size=EPOCH_BATCH, learning_rate="constant", learning_rate_init=LEARNING_RATE,
            momentum=0.0, nesterovs_momentum=False, shuffle=True, random_state=seed)

    def benchmark(self, data, args):
        rec = {"implementation": self.name, "version": self.version, "threads": self.threads}
        scale = np.float32(1.0 / 255.0)
        x = np.multiply(data.train_x, scale, dtype=np.float32)
        y = data.train_y
        classes = np.arange(LAYERS[-1])
        model = self.factory(args.seed)
        model.partial_fit(x[:EPOCH_BATCH], y[:EPOCH_BATCH], classes=classes)   # warm-up
        epoch_times = []
        if args.epochs > 0:
            model = self.factory(args.seed)
        for _ in range(args.epochs):
            t0 = time.perf_counter()
            model.partial_fit(x, y, classes=classes)
            epoch_times.append(time.perf_counter() - t0)
        record_epochs(rec, epoch_times)
        batch = np.random.default_rng(args.seed).random((INFER_BATCH, 784), dtype=np.float32)
        sec, _ = time_per_call(lambda: model.predict_proba(batch), lambda: None,
                               args.block_seconds, args.repeats)
        rec["infer_samples_per_s"] = INFER_BATCH / sec
        if args.epochs > 0:
            test_x = np.multiply(data.test_x, scale, dtype=np.float32)
            rec["test_accuracy"] = float(np.mean(model.predict(test_x) == data.test_y))
        return rec


FACTORIES = {"numpy": NumpyMLP, "torch": TorchMLP, "jax": JaxMLP, "sklearn": SklearnMLP,
             "torch-bn-dropout": TorchBatchNormDropoutMLP}

# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


def time_per_call(fn, sync, block_seconds, repeats):
    """Median seconds per call of fn(): warm up, size a block to ~block_seconds,
    then time `repeats` blocks and take the median of the per-call times."""
    # warm-up (also compiles under JAX): at least 3 calls and ~block_seconds/2
    t0 = time.perf_counter()
    calls = 0
    while calls < 3 or time.perf_counter() - t0 < block_seconds / 2:
        fn()
        calls += 1
    sync()
    # calibrate
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        sync()
        dt = time.perf_counter() - t0
        if dt >= block_seconds / 4 or n >= 1 << 20:
            break
        n *= 2
    n = max(1, int(round(n * block_seconds / max(dt, 1e-9))))
    per_call = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        sync()
        per_call.append((time.perf_counter() - t0) / n)
    return statistics.median(per_call), n


def run_epoch(impl, assembler, n_train, batch, rng):
    perm = rng.permutation(n_train)
    for start in range(0, n_train, batch):       # last smaller batch included
        x, y = assembler.batch(perm[start:start + batch])
        impl.step(*impl.to_native(x, y))
    impl.sync()


def test_accuracy(impl, data):
    correct = 0
    scale = np.float32(1.0 / 255.0)
    for start in range(0, len(data.test_y), INFER_BATCH):
        x = np.multiply(data.test_x[start:start + INFER_BATCH], scale, dtype=np.float32)
        p = impl.to_numpy(impl.sync(impl.predict(impl.to_native(x, np.zeros((len(x), 10), np.float32))[0])))
        correct += int(np.sum(np.argmax(p, axis=1) == data.test_y[start:start + INFER_BATCH]))
    return correct / len(data.test_y)


def benchmark(impl, data, args):
    rng = np.random.default_rng(args.seed)
    rec = {"implementation": impl.name, "version": impl.version, "threads": impl.threads}
    # 1. step time on fixed random batches (random weights; they are reset below)
    impl.reset(he_normal_weights(args.seed))
    for n in STEP_BATCHES:
        x = rng.random((n, 784), dtype=np.float32)
        y = np.zeros((n, 10), np.float32)
        y[np.arange(n), rng.integers(0, 10, n)] = 1.0
        xn, yn = impl.to_native(x, y)
        sec, _ = time_per_call(lambda: impl.step(xn, yn), impl.sync,
                               args.block_seconds, args.repeats)
        rec["step_us_%d" % n] = sec * 1e6
    # 2. inference at batch 1024: forward + softmax
    x = rng.random((INFER_BATCH, 784), dtype=np.float32)
    xn, _ = impl.to_native(x, np.zeros((INFER_BATCH, 10), np.float32))
    last = [None]   # keep the newest result so that sync waits for it (JAX is asynchronous)

    def infer():
        last[0] = impl.predict(xn)

    sec, _ = time_per_call(infer, lambda: impl.sync(last[0]), args.block_seconds, args.repeats)
    rec["infer_samples_per_s"] = INFER_BATCH / sec
    # 3. epochs over the training set from fresh weights, then test accuracy
    if args.epochs == 0:
        record_epochs(rec, [])
        return rec
    impl.reset(he_normal_weights(args.seed))
    assembler = BatchAssembler(data.train_x, data.train_y)
    n_train = len(data.train_y)
    # warm-up on a throw-away copy of the weights: one full batch and one of the
    # size of the last, smaller batch (JAX compiles once per shape)
    rest = n_train % EPOCH_BATCH
    for n in (EPOCH_BATCH, rest) if rest else (EPOCH_BATCH,):
        impl.step(*impl.to_native(*assembler.batch(np.arange(n))))
    impl.sync()
    impl.reset(he_normal_weights(args.seed))
    epoch_times = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        run_epoch(impl, assembler, n_train, EPOCH_BATCH, rng)
        epoch_times.append(time.perf_counter() - t0)
    record_epochs(rec, epoch_times)
    rec["test_accuracy"] = test_accuracy(impl, data)
    return rec


def record_epochs(rec, epoch_times):
    """The epoch figures of a record (none, and no test accuracy, with --epochs 0)."""
    rec["epoch_s"] = statistics.median(epoch_times) if epoch_times else None
    rec["epoch_s_all"] = epoch_times
    rec["epochs"] = len(epoch_times)
    rec.setdefault("test_accuracy", None)


def check_against_numpy(impls, args):
    """One SGD step from identical weights on the same batch; compare weights."""
    rng = np.random.default_rng(args.seed + 7)
    n = 64
    x = rng.random((n, 784), dtype=np.float32)
    y = np.zeros((n, 10), np.float32)
    y[np.arange(n), rng.integers(0, 10, n)] = 1.0
    init = he_normal_weights(args.seed + 7)
    ref = NumpyMLP(args.threads)
    ref.reset(init)
    p0 = ref.to_numpy(ref.predict(x)).copy()
    ref.step(x, y)
    want = ref.params_numpy()
    lines = []
    for impl in impls:
        if not hasattr(impl, "reset"):
            lines.append("  %-6s not checked (no single-step API)" % impl.name)
            continue
        if getattr(impl, "network", "standard") != "standard":
            lines.append("  %-6s not checked (another network: %s)" % (impl.name, impl.network))
            continue
        impl.reset(init)
        p = np.array(impl.to_numpy(impl.sync(impl.predict(impl.to_native(x, y)[0]))))
        impl.step(*impl.to_native(x, y))
        impl.sync()
        got = impl.params_numpy()
        # compare the update (W_after - W_before), relative to its size
        worst = 0.0
        for (w0, b0), (wr, br), (wg, bg) in zip(init, want, got):
            for a0, ar, ag in ((w0, wr, wg), (b0, br, bg)):
                du_ref, du = ar - a0, ag - a0
                worst = max(worst, float(np.max(np.abs(du - du_ref)) /
                                         max(float(np.max(np.abs(du_ref))), 1e-30)))
        pdiff = float(np.max(np.abs(p - p0)))
        ok = worst < 1e-3 and pdiff < 1e-5
        lines.append("  %-6s forward max|dP| %.1e, update max rel diff %.1e  %s"
                     % (impl.name, pdiff, worst, "ok" if ok else "MISMATCH"))
    return lines


# --------------------------------------------------------------------------
# Header, table, main
# --------------------------------------------------------------------------


def blas_description():
    lines = []
    try:
        import threadpoolctl
        for info in threadpoolctl.threadpool_info():
            if info.get("user_api") in ("blas", "openmp"):
                lines.append("%s %s %s, %s threads, arch %s, %s" % (
                    info.get("user_api"), info.get("internal_api"), info.get("version"),
                    info.get("num_threads"), info.get("architecture"), info.get("filepath")))
    except ImportError:
        pass
    if not lines:
        try:
            cfg = np.show_config(mode="dicts")
            blas = cfg.get("Build Dependencies", {}).get("blas", {})
            lines.append("numpy BLAS: %s %s (%s)" % (blas.get("name"), blas.get("version"),
                                                    blas.get("openblas configuration", "")))
        except TypeError:  # numpy < 1.26: show_config has no mode
            import contextlib
            import io
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                np.show_config()
            text = [l.strip() for l in out.getvalue().splitlines()
                    if "libraries" in l or "name" in l or "openblas" in l.lower()]
            lines.append("numpy.show_config: " + "; ".join(text[:6]))
    return lines


def header(args, data):
    out = ["SwiftMLP peer benchmark: MLP 784-256-128-10 ReLU, softmax + cross-entropy, "
           "SGD lr %.1f, float32" % LEARNING_RATE]
    if "torch-bn-dropout" in args.impl:
        out.append("torch-bn-dropout: the same with BatchNorm1d, ReLU, Dropout(%.1f) after each hidden "
                   "Linear (training mode in steps and epochs, eval mode in inference)" % DROPOUT)
    out.append("date %s UTC, host %s, %s, Python %s (%s)" % (
        time.strftime("%Y-%m-%d %H:%M", time.gmtime()), platform.node(),
        platform.processor() or platform.machine(), platform.python_version(), sys.executable))
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    except OSError:
        model = "?"
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "?"
    out.append("cpu %s, %d logical cores, load average %s" % (model, os.cpu_count() or 0, load))
    out.append("threads %d: OMP/OPENBLAS/MKL_NUM_THREADS=%s OMP_WAIT_POLICY=%s; OPENBLAS_CORETYPE=%s "
               "OPENBLAS_L2_SIZE=%s XLA_FLAGS=%s" % (
                   args.threads, os.environ.get("OPENBLAS_NUM_THREADS"),
                   os.environ.get("OMP_WAIT_POLICY"),
                   os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
                   os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
                   os.environ.get("XLA_FLAGS", "(unset)")))
    out.append("numpy %s" % np.__version__)
    for line in blas_description():
        out.append("  " + line)
    out.append("data: %s" % data.source)
    out.append("timing: %d blocks of ~%.2f s per step/inference figure (median), "
               "%d timed epoch(s) at batch %d (median)%s" % (
                   args.repeats, args.block_seconds, args.epochs, EPOCH_BATCH,
                   ", QUICK" if args.quick else ""))
    return out


COLUMNS = [("implementation", "%s", "implementation"), ("version", "%s", "version"),
           ("threads", "%d", "thr"),
           ("step_us_32", "%.1f", "step us @32"), ("step_us_128", "%.1f", "step us @128"),
           ("step_us_256", "%.1f", "step us @256"), ("epoch_s", "%.3f", "epoch s"),
           ("infer_samples_per_s", "%.0f", "infer samples/s"),
           ("test_accuracy", "%.4f", "test acc")]


def table(records):
    rows = [[title for _, _, title in COLUMNS]]
    for rec in records:
        rows.append([fmt % rec[key] if rec.get(key) is not None else "-" for key, fmt, _ in COLUMNS])
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = []
    for k, row in enumerate(rows):
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def framework_lines(impls):
    out = []
    for impl in impls:
        if impl.name == "torch":
            cfg = impl.torch.__config__.show()
            keep = re.findall(r"\b(?:BLAS_INFO|USE_MKLDNN|USE_OPENMP|USE_CUDA)=[^,\s]*", cfg)
            par = [l.strip() for l in impl.torch.__config__.parallel_info().splitlines()
                   if "parallel backend" in l or "get_num_threads" in l or "get_num_interop_threads" in l]
            out.append("torch %s: %s; %s" % (impl.version, " ".join(keep), "; ".join(par)))
        elif impl.name == "jax":
            out.append("jax %s (jaxlib %s), devices %s" % (
                impl.version, getattr(impl.jax.lib, "__version__", "?"), impl.jax.devices()))
    return out


def main(args):
    data = Dataset(args.data, args.seed)
    impls, notes = [], []
    for name in args.impl:
        try:
            impls.append(FACTORIES[name](args.threads))
        except ImportError as e:
            notes.append("note: %s skipped (not importable: %s)" % (name, e))
        except Exception as e:  # a broken install (e.g. missing CUDA libraries)
            notes.append("note: %s skipped (import failed: %s: %s)"
                         % (name, type(e).__name__, str(e).splitlines()[0][:200]))
    head = header(args, data) + framework_lines(impls) + notes
    for line in head:
        print(line)
    sys.stdout.flush()
    if args.check:
        print("check: one SGD step from identical weights vs the numpy network")
        for line in check_against_numpy(impls, args):
            print(line)
    records = []
    for impl in impls:
        rec = impl.benchmark(data, args) if hasattr(impl, "benchmark") else benchmark(impl, data, args)
        rec.update({"quick": args.quick, "data": "fashion-mnist" if data.real else "random",
                    "python": platform.python_version()})
        records.append(rec)
        accuracy = rec["test_accuracy"]
        print("  done %-6s (epochs %s s, test acc %s)" % (
            impl.name, ", ".join("%.3f" % t for t in rec["epoch_s_all"]) or "none",
            "-" if accuracy is None else "%.4f" % accuracy), file=sys.stderr)
    print()
    for line in table(records):
        print(line)
    if data.real:
        low = [r["implementation"] for r in records
               if r["test_accuracy"] is not None and r["test_accuracy"] < 0.78]
        if low:
            print("WARNING: test accuracy below 0.78 for %s: training may be broken" % ", ".join(low))
    try:
        load_end = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load_end = "?"
    print("load average at the end: %s (figures are noisy when it is above the core count)" % load_end)
    if args.json:
        meta = {"header": head, "notes": notes, "load_average_end": load_end,
                "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "records": records}, f, indent=2)
            f.write("\n")
        print("wrote %s" % args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(ARGS))

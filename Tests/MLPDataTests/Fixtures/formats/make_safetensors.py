#!/usr/bin/env python3
"""Writes the safetensors fixtures for Tests/MLPDataTests with the reference
implementation (the `safetensors` package, numpy front end), and expected.json beside them.

    python3 -m venv /tmp/st && /tmp/st/bin/pip install safetensors numpy
    cd Tests/MLPDataTests/Fixtures/formats && /tmp/st/bin/python make_safetensors.py

expected.json holds, for every file, its metadata and each tensor's shape and the float32 bit
patterns (as unsigned integers) that a reader converting to float32 must produce; numpy does
these conversions (float16 -> float32 exactly, float64 -> float32 rounding to nearest), so the
Swift reader is compared with an independent implementation. Bit patterns rather than decimal
numbers keep infinities, NaN payloads and -0 exact.

The tensors mimic torch.nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)): names
layers.0.weight [4, 3], layers.0.bias [4], layers.2.weight [2, 4], layers.2.bias [2].
(torch was not installable where this was run; numpy writes the same format.)

    python make_safetensors.py --show FILE   prints a file as the reference reader sees it
"""
import json
import sys

import numpy as np
import safetensors
from safetensors.numpy import load_file, save_file

SEED = 4
METADATA = {
    "format": "pt",
    "architecture": json.dumps({"sizes": [3, 4, 2], "activations": ["relu", "identity"]}),
}


def mlp_float32():
    rng = np.random.default_rng(SEED)
    return {
        "layers.0.weight": rng.standard_normal((4, 3)).astype(np.float32),
        "layers.0.bias": rng.standard_normal(4).astype(np.float32),
        "layers.2.weight": rng.standard_normal((2, 4)).astype(np.float32),
        "layers.2.bias": rng.standard_normal(2).astype(np.float32),
    }


def bits(array32):
    return [int(b) for b in np.ascontiguousarray(array32, dtype=np.float32).reshape(-1).view(np.uint32)]


def entry(shape, values32):
    return {"shape": list(shape), "bits": bits(values32)}


def bfloat16_bits(array32):
    """Rounds float32 to bfloat16 (nearest, ties to even) and returns the 16-bit patterns."""
    u = np.ascontiguousarray(array32, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def save_bfloat16(path, named_bits, metadata):
    """The numpy front end has no bfloat16, so hand uint16 patterns to the reference serializer."""
    keep = {k: np.ascontiguousarray(v, dtype=np.uint16) for k, v in named_bits.items()}
    if hasattr(safetensors, "TensorSpec"):  # safetensors >= 0.8
        specs = {
            k: safetensors.TensorSpec(dtype="bfloat16", shape=list(v.shape), data_ptr=v.ctypes.data, data_len=v.nbytes)
            for k, v in keep.items()
        }
    else:
        specs = {k: {"dtype": "bfloat16", "shape": list(v.shape), "data": v.tobytes()} for k, v in keep.items()}
    data = bytes(safetensors.serialize(specs, metadata=metadata))
    with open(path, "wb") as f:
        f.write(data)


def main():
    expected = {}
    base = mlp_float32()

    # F32: as the weights of a trained float32 model.
    save_file(base, "mlp_f32.safetensors", metadata=METADATA)
    expected["mlp_f32.safetensors"] = {
        "metadata": METADATA,
        "tensors": {k: entry(v.shape, v) for k, v in base.items()},
    }

    # F16: the same weights halved, plus every class of binary16 value.
    f16 = {k: v.astype(np.float16) for k, v in base.items()}
    f16["specials"] = np.array([0x0001, 0x03FF, 0x0400, 0x7BFF, 0x7C00, 0xFC00, 0x8000, 0x7E00, 0x3C00, 0xC000],
                               dtype=np.uint16).view(np.float16)
    save_file(f16, "mlp_f16.safetensors", metadata={"dtype": "float16"})
    expected["mlp_f16.safetensors"] = {
        "metadata": {"dtype": "float16"},
        "tensors": {k: entry(v.shape, v.astype(np.float32)) for k, v in f16.items()},
    }

    # BF16: float32 rounded to bfloat16; a bfloat16 is the upper half of a float32.
    bf16 = {k: bfloat16_bits(v).reshape(v.shape) for k, v in base.items()}
    bf16["specials"] = np.array([0x0001, 0x0080, 0x7F7F, 0x7F80, 0xFF80, 0x8000, 0x7FC1, 0x3F80], dtype=np.uint16)
    save_bfloat16("mlp_bf16.safetensors", bf16, {"dtype": "bfloat16"})
    expected["mlp_bf16.safetensors"] = {
        "metadata": {"dtype": "bfloat16"},
        "tensors": {
            k: {"shape": list(v.shape), "bits": [int(b) << 16 for b in v.reshape(-1)]} for k, v in bf16.items()
        },
    }

    # F64: values that float32 must round, overflow to infinity, or flush to zero / subnormal.
    rng = np.random.default_rng(SEED + 1)
    f64 = {k: rng.standard_normal(v.shape) for k, v in base.items()}
    f64["specials"] = np.array([1e300, -1e300, 1e-50, 1e-40, 0.1, -0.0, 3.4028235677973366e38, np.inf])
    save_file(f64, "mlp_f64.safetensors")
    with np.errstate(over="ignore"):
        expected["mlp_f64.safetensors"] = {
            "metadata": {},
            "tensors": {k: entry(v.shape, v.astype(np.float32)) for k, v in f64.items()},
        }

    # Edge shapes: a scalar, an empty matrix, a 1-element vector; no metadata.
    edge = {
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "one": np.array([-1.0], dtype=np.float32),
    }
    save_file(edge, "edge_f32.safetensors")
    expected["edge_f32.safetensors"] = {
        "metadata": {},
        "tensors": {k: entry(v.shape, v) for k, v in edge.items()},
    }

    with open("expected.json", "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", ", ".join(sorted(expected)), "and expected.json")


def show(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        print("header:", f.read(n).decode())
    try:
        tensors = load_file(path)
    except TypeError as error:  # numpy has no bfloat16
        print("(numpy cannot hold these values:", error, ")")
        return
    for name, value in sorted(tensors.items()):
        print(name, value.dtype, value.shape, value.reshape(-1).tolist())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--show":
        show(sys.argv[2])
    else:
        main()

"""PyTorch <-> mlp model files with BatchNorm1d, LayerNorm and Dropout, both directions.

make (default): builds a torch.nn.Sequential (held as `layers` of a module, so that its
state_dict() names the tensors layers.{i}.weight, layers.{i}.bias, layers.{i}.running_mean,
layers.{i}.running_var, layers.{i}.num_batches_tracked; i is the module's position in the
sequence, activations and Dropout counted):

    0 Linear(6, 8)  1 BatchNorm1d(8)  2 ReLU  3 Dropout(0.3)  4 Linear(8, 5)  5 LayerNorm(5)
    6 ReLU  7 Dropout(0.1)  8 Linear(5, 3)          softmax output (not a module)

with seeded random parameters and running statistics (num_batches_tracked 12), in inference
mode, and writes, next to this script:

    torch_layers.safetensors    its state_dict(), names and dtypes exactly as PyTorch has them
                                (F32; num_batches_tracked I64 with shape []), no metadata
    torch_layers.json           the sequence, in the "modules" format of
                                Tests/NeuralNetworkTests/Fixtures/layers/README.md, with the
                                output activation and the loss
    torch_layers_inputs.csv     7 samples, one per line (values written with 9 digits, so
                                they read back as the float32 values used)
    torch_layers_outputs.csv    the softmax probabilities, in inference mode (BatchNorm on its
                                running statistics, Dropout the identity), computed in float64
                                from the float32 parameters and inputs, 17 digits

Then it runs `check` on those files, so the fixture is known to load strictly.

check MODEL INPUTS.csv OUTPUTS.csv [SPEC.json]: loads a model file (one written by
`mlp`) into the mirroring nn.Sequential built from SPEC (default torch_layers.json) with
load_state_dict(strict=True), runs INPUTS through it in inference mode, and compares the
softmax probabilities with OUTPUTS (what mlp printed): the largest difference must be below
1e-5. Before loading it compares the file's tensor names with state_dict()'s itself: strict
loading does not notice a missing num_batches_tracked (BatchNorm fills it in when the state
dict carries no version metadata, and a safetensors file never does). A num_batches_tracked
that is not int64 loads (PyTorch casts it) but is reported.

Needs torch, safetensors and numpy.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS_FIXTURES = os.path.join(HERE, "..", "..", "NeuralNetworkTests", "Fixtures", "layers")
sys.path.insert(0, LAYERS_FIXTURES)
sys.dont_write_bytecode = True
from make_layer_fixtures import (activation, batchnorm, build, dropout, layernorm,  # noqa: E402
                                 linear, output_activation)

SEED = 20261202
TOLERANCE = 1e-5
KINK_MARGIN = 1e-4
INPUT_SIZE = 6
SAMPLES = 7
MODULES = [linear(6, 8), batchnorm(8), activation("relu"), dropout(0.3, False), linear(8, 5), layernorm(5),
           activation("relu"), dropout(0.1, False), linear(5, 3)]


def spec_document():
    return {
        "description": "A PyTorch nn.Sequential held as `layers`, in inference mode; its state dict is "
                       "torch_layers.safetensors. Dropout modules are torch.nn.Dropout(p).",
        "inputSize": INPUT_SIZE,
        "modules": [dict({"index": i}, **spec) for i, spec in enumerate(MODULES)],
        "output": "softmax",
        "loss": "cross-entropy",
    }


def make():
    rng = np.random.default_rng(SEED)
    model = build(MODULES, torch.float32)
    state = {}
    for name, tensor in model.state_dict().items():
        shape = tuple(tensor.shape)
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(12, dtype=torch.long)
        elif name.endswith("running_var"):
            state[name] = torch.tensor(rng.uniform(0.3, 2.0, size=shape), dtype=torch.float32)
        elif name.endswith("running_mean"):
            state[name] = torch.tensor(rng.normal(0.0, 0.5, size=shape), dtype=torch.float32)
        elif tensor.dim() == 2:     # a Linear weight [out, in]
            state[name] = torch.tensor(rng.normal(0.0, 0.6, size=shape), dtype=torch.float32)
        elif name.endswith("weight"):   # a norm's scale
            state[name] = torch.tensor(rng.normal(1.0, 0.3, size=shape), dtype=torch.float32)
        else:
            state[name] = torch.tensor(rng.normal(0.0, 0.3, size=shape), dtype=torch.float32)
    model.load_state_dict(state, strict=True)
    model.eval()
    model_path = os.path.join(HERE, "torch_layers.safetensors")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, model_path)

    inputs_path = os.path.join(HERE, "torch_layers_inputs.csv")
    np.savetxt(inputs_path, rng.normal(0.0, 1.0, size=(SAMPLES, INPUT_SIZE)).astype(np.float32),
               delimiter=",", fmt="%.9g")
    inputs = np.loadtxt(inputs_path, delimiter=",", ndmin=2).astype(np.float32)   # what mlp reads

    # The reference: float64 from the float32 parameters and inputs.
    reference = build(MODULES, torch.float64)
    reference.load_state_dict({k: (v if v.dtype == torch.long else v.to(torch.float64))
                               for k, v in model.state_dict().items()}, strict=True)
    reference.eval()
    x = torch.tensor(inputs, dtype=torch.float64)
    check_relu_margins(reference, x)
    with torch.no_grad():
        probabilities = output_activation("softmax", reference(x)).numpy()
    outputs_path = os.path.join(HERE, "torch_layers_outputs.csv")
    np.savetxt(outputs_path, probabilities, delimiter=",", fmt="%.17g")
    spec_path = os.path.join(HERE, "torch_layers.json")
    with open(spec_path, "w") as f:
        json.dump(spec_document(), f, indent=2)
        f.write("\n")
    print("wrote torch_layers.safetensors, torch_layers.json, torch_layers_inputs.csv, torch_layers_outputs.csv")
    check(model_path, inputs_path, outputs_path, spec_path)


def check_relu_margins(model, x):
    """No ReLU input within KINK_MARGIN of 0, so float32 takes the same branches."""
    seen = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.append(inp[0].detach()))
             for m in model.layers if isinstance(m, torch.nn.ReLU)]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    closest = min(float(z.abs().min()) for z in seen)
    assert closest >= KINK_MARGIN, "a ReLU input is %g from 0" % closest


def check(model_path, inputs_path, outputs_path, spec_path=None):
    with open(spec_path or os.path.join(HERE, "torch_layers.json")) as f:
        spec = json.load(f)
    modules = [{k: v for k, v in m.items() if k != "index"} for m in spec["modules"]]
    model = build(modules, torch.float32)
    with safe_open(model_path, framework="pt") as f:
        metadata = f.metadata() or {}
    if "architecture" in metadata:
        print("%s: architecture in the metadata: %s" % (model_path, metadata["architecture"]))
    tensors = load_file(model_path)

    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    assert not missing and not unexpected, "%s: missing tensors %s, unexpected tensors %s" % (
        model_path, missing, unexpected)
    for name, tensor in tensors.items():
        assert tuple(tensor.shape) == tuple(expected[name].shape), "%s: %s has shape %s, PyTorch's is %s" % (
            model_path, name, list(tensor.shape), list(expected[name].shape))
        if tensor.dtype != expected[name].dtype:
            print("%s: note: %s is %s, PyTorch's state_dict() has %s (load_state_dict casts it)"
                  % (model_path, name, tensor.dtype, expected[name].dtype))
    model.load_state_dict(tensors, strict=True)
    model.eval()

    inputs = torch.tensor(np.loadtxt(inputs_path, delimiter=",", ndmin=2), dtype=torch.float32)
    wanted = np.loadtxt(outputs_path, delimiter=",", ndmin=2)
    with torch.no_grad():
        got = output_activation(spec["output"], model(inputs)).numpy().astype(np.float64)
    assert got.shape == wanted.shape, "%s rows x %s columns from torch, %s in %s" % (
        got.shape[0], got.shape[1], wanted.shape, outputs_path)
    error = float(np.abs(got - wanted).max())
    print("%s: loads strictly into the nn.Sequential of %d modules; torch reproduces %s, max abs difference %.3g"
          % (model_path, len(modules), os.path.basename(outputs_path), error))
    assert error < TOLERANCE, error


if __name__ == "__main__":
    torch.set_num_threads(1)
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        if len(sys.argv) not in (5, 6):
            sys.exit("usage: torch_layers_interop.py check MODEL INPUTS.csv OUTPUTS.csv [SPEC.json]")
        check(*sys.argv[2:])
    else:
        make()

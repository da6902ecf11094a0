"""PyTorch <-> mlp model files, both directions.

make (default): builds a small torch.nn.Sequential MLP (4 -> 5 ReLU -> 3 softmax) with a fixed
seed, saves its state dict with safetensors under the names mlp reads
(layers.0.weight, layers.0.bias, layers.2.weight, layers.2.bias: nn.Sequential numbers its
Linear layers 0 and 2 because the ReLU sits at 1), with no metadata of ours, and writes
torch_inputs.csv and torch_outputs.csv (softmax probabilities computed by torch). The tool
test `mlp predict --model torch_mlp.safetensors --layers 4,5,3 --activation relu --output
softmax --probabilities` must reproduce torch_outputs.csv.

check MODEL INPUTS.csv OUTPUTS.csv: loads a model saved by `mlp` (layers.{i}.weight [out, in],
layers.{i}.bias [out], F32) into torch.nn.Linear layers, runs the inputs through it with the
activations recorded in the file's metadata, and compares with the outputs mlp printed.

Needs torch, safetensors and numpy (Debian: python3-torch; pip: safetensors).
"""
import json
import sys

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from safetensors import safe_open

ACTIVATIONS = {
    "relu": torch.nn.ReLU(), "tanh": torch.nn.Tanh(), "sigmoid": torch.nn.Sigmoid(),
    "identity": torch.nn.Identity(), "softmax": torch.nn.Softmax(dim=1),
}


def make():
    torch.manual_seed(20261130)
    model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    state = {f"layers.{k}": v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, "torch_mlp.safetensors")
    inputs = torch.randn(6, 4)
    with torch.no_grad():
        outputs = torch.softmax(model(inputs), dim=1)
    np.savetxt("torch_inputs.csv", inputs.numpy(), delimiter=",", fmt="%.9g")
    np.savetxt("torch_outputs.csv", outputs.numpy(), delimiter=",", fmt="%.9g")
    print("wrote torch_mlp.safetensors, torch_inputs.csv, torch_outputs.csv")


def check(model_path, inputs_path, outputs_path):
    with safe_open(model_path, framework="pt") as f:
        architecture = json.loads(f.metadata()["architecture"])
    tensors = load_file(model_path)
    layers = []
    for i, spec in enumerate(architecture["layers"]):
        assert spec["kind"] == "dense", "this check covers Dense layers"
        linear = torch.nn.Linear(spec["inputSize"], spec["outputSize"])
        linear.load_state_dict({"weight": tensors[f"layers.{i}.weight"], "bias": tensors[f"layers.{i}.bias"]})
        layers += [linear, ACTIVATIONS[spec["activation"]]]
    model = torch.nn.Sequential(*layers)
    inputs = torch.tensor(np.loadtxt(inputs_path, delimiter=",", ndmin=2), dtype=torch.float32)
    expected = np.loadtxt(outputs_path, delimiter=",", ndmin=2)
    with torch.no_grad():
        got = model(inputs).numpy()
    error = np.abs(got - expected).max()
    print(f"{model_path}: torch reproduces mlp's outputs, max abs difference {error:.3g}")
    assert error < 1e-5, error


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        check(*sys.argv[2:5])
    else:
        make()

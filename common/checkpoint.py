"""Checkpoint I/O shared by both demos: weights as safetensors, a JSON card beside them.

A checkpoint `checkpoints/NAME` is two files:
  NAME.safetensors  the weights (floats stored as float16 to keep the repo small; loaded back as float32)
  NAME.json         the card: architecture, classes, preprocessing, metrics, data, training, and the
                    sha256 of the weights file, which `load_checkpoint` checks before reading a byte.

Nothing is ever unpickled. Usage:
    save_checkpoint(model, "checkpoints/mnist_cnn", card)
    card = load_checkpoint(model, "checkpoints/mnist_cnn")
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from common.errors import ModelFileError


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _paths(stem: str | Path) -> tuple[Path, Path]:
    stem = Path(stem)
    if stem.suffix in (".safetensors", ".json"):
        stem = stem.with_suffix("")
    return stem.with_suffix(".safetensors"), stem.with_suffix(".json")


def save_checkpoint(model: torch.nn.Module, stem: str | Path, card: dict, half: bool = True) -> dict:
    """Write NAME.safetensors and NAME.json; return the card as written (with sha256 and size)."""
    weights_path, card_path = _paths(stem)
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for key, value in model.state_dict().items():
        value = value.detach().cpu().contiguous()
        tensors[key] = value.half() if half and value.is_floating_point() else value
    save_file(tensors, str(weights_path))
    card = dict(card)
    card["weights"] = {
        "file": weights_path.name,
        "dtype": "float16" if half else "float32",
        "bytes": weights_path.stat().st_size,
        "sha256": sha256_of(weights_path),
    }
    card_path.write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
    return card


def read_card(stem: str | Path) -> dict:
    _, card_path = _paths(stem)
    rebuild = "the command in the project's README"
    if not card_path.exists():
        raise ModelFileError(f"Model card {card_path} is missing. Rebuild it with {rebuild}.")
    try:
        return json.loads(card_path.read_text())
    except json.JSONDecodeError as error:
        raise ModelFileError(f"Model card {card_path} is not valid JSON ({error}).") from error


def load_verified_tensors(stem: str | Path) -> tuple[dict[str, torch.Tensor], dict]:
    """Read the weights after checking their sha256 against the card; floats come back as float32."""
    weights_path, _ = _paths(stem)
    card = read_card(stem)
    rebuild = card.get("train_command", "the training command in the README")
    if not weights_path.exists():
        raise ModelFileError(f"Model file {weights_path} is missing. Rebuild it with: {rebuild}")
    expected = card.get("weights", {}).get("sha256")
    if expected != sha256_of(weights_path):
        raise ModelFileError(
            f"Model file {weights_path} is corrupt (its sha256 does not match {weights_path.with_suffix('.json').name}). "
            f"Restore it with `git checkout -- {weights_path}` or rebuild it with: {rebuild}"
        )
    tensors = load_file(str(weights_path))
    tensors = {k: v.float() if v.is_floating_point() else v for k, v in tensors.items()}
    return tensors, card


def load_checkpoint(model: torch.nn.Module, stem: str | Path) -> dict:
    """Load verified weights into `model` (strictly), switch it to eval mode, return the card."""
    tensors, card = load_verified_tensors(stem)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    return card

"""The training loop both demos use: one epoch, prediction, `fit` with tqdm progress and resume.

    history = fit(model, train_loader, eval_loader, optimizer, epochs=10, scheduler=sched,
                  batch_transform=augment, state_path="runs/mnist_cnn.state")

`batch_transform(images, labels) -> (images, labels)` runs on each training batch, so augmentation can
work on whole batches at once (much faster on a CPU than per image); `final_transform` replaces it for the
last `final_epochs` epochs (e.g. clean images after heavy augmentation). A training state written after
every epoch (safetensors + JSON, no pickles) lets an interrupted run continue where it stopped.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from tqdm import tqdm

BatchTransform = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@dataclass
class EpochResult:
    epoch: int
    train_loss: float
    eval_accuracy: float
    seconds: float


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_one_epoch(model, loader, optimizer, scheduler=None, batch_transform: BatchTransform | None = None,
                    dry_run: bool = False, desc: str = "train", label_smoothing: float = 0.0) -> float:
    """Train for one pass over `loader` (one batch if `dry_run`); return the mean loss."""
    model.train()
    total, count = 0.0, 0
    progress = tqdm(loader, desc=desc, leave=False, mininterval=2.0)
    for images, labels in progress:
        if batch_transform is not None:
            images, labels = batch_transform(images, labels)
        loss = F.cross_entropy(model(images), labels, label_smoothing=label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.item() * len(labels)
        count += len(labels)
        progress.set_postfix(loss=f"{total / count:.4f}")
        if dry_run:
            break
    return total / max(count, 1)


@torch.no_grad()
def predict(model, loader, dry_run: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (probabilities N x C, labels N) for everything in `loader`."""
    model.eval()
    all_probs, all_labels = [], []
    for images, labels in loader:
        all_probs.append(F.softmax(model(images), dim=1))
        all_labels.append(labels)
        if dry_run:
            break
    return torch.cat(all_probs), torch.cat(all_labels)


def accuracy(probs: torch.Tensor, labels: torch.Tensor) -> float:
    return (probs.argmax(1) == labels).float().mean().item()


def confusion_matrix(predicted: torch.Tensor, labels: torch.Tensor, num_classes: int) -> np.ndarray:
    """Rows are true classes, columns predicted classes."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels.numpy(), predicted.numpy()), 1)
    return matrix


def fit(model, train_loader, eval_loader, optimizer, epochs: int, scheduler=None,
        batch_transform: BatchTransform | None = None, state_path: str | Path | None = None,
        dry_run: bool = False, label_smoothing: float = 0.0, log: Callable[[str], None] = print,
        final_transform: BatchTransform | None = None, final_epochs: int = 0) -> list[EpochResult]:
    """Train for `epochs`, evaluating after each; resume from `state_path` if a state is there."""
    history: list[EpochResult] = []
    start_epoch = 1
    if state_path is not None and Path(state_path).with_suffix(".json").exists() and not dry_run:
        start_epoch, history = load_training_state(state_path, model, optimizer, scheduler)
        log(f"resuming at epoch {start_epoch} from {state_path}")
    for epoch in range(start_epoch, epochs + 1):
        began = time.perf_counter()
        transform = final_transform if epoch > epochs - final_epochs else batch_transform
        loss = train_one_epoch(model, train_loader, optimizer, scheduler, transform, dry_run,
                               desc=f"epoch {epoch}/{epochs}", label_smoothing=label_smoothing)
        probs, labels = predict(model, eval_loader, dry_run=dry_run)
        result = EpochResult(epoch, loss, accuracy(probs, labels), time.perf_counter() - began)
        history.append(result)
        log(f"epoch {epoch}: loss {loss:.4f}, eval accuracy {result.eval_accuracy:.4%}, {result.seconds:.0f}s")
        if state_path is not None and not dry_run:
            save_training_state(state_path, model, optimizer, scheduler, epoch + 1, history)
        if dry_run:
            break
    return history


def save_training_state(path, model, optimizer, scheduler, next_epoch: int, history: list[EpochResult]) -> None:
    """Write model and optimizer tensors as safetensors, everything else as JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.detach().contiguous() for k, v in model.state_dict().items()}
    optimizer_state = optimizer.state_dict()
    plain_state: dict[str, dict] = {}
    for index, values in optimizer_state["state"].items():
        for name, value in values.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{index}.{name}"] = value.contiguous()
            else:
                plain_state.setdefault(str(index), {})[name] = value
    save_file(tensors, str(path.with_suffix(".safetensors")))
    meta = {
        "next_epoch": next_epoch,
        "history": [asdict(h) for h in history],
        "optimizer_param_groups": optimizer_state["param_groups"],
        "optimizer_plain_state": plain_state,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "torch_rng": torch.get_rng_state().tolist(),
    }
    path.with_suffix(".json").write_text(json.dumps(meta))


def load_training_state(path, model, optimizer, scheduler) -> tuple[int, list[EpochResult]]:
    path = Path(path)
    tensors = load_file(str(path.with_suffix(".safetensors")))
    meta = json.loads(path.with_suffix(".json").read_text())
    model.load_state_dict({k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")})
    state: dict[int, dict] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    for index, values in meta["optimizer_plain_state"].items():
        state.setdefault(int(index), {}).update(values)
    optimizer.load_state_dict({"state": state, "param_groups": meta["optimizer_param_groups"]})
    if scheduler is not None and meta["scheduler"] is not None:
        scheduler.load_state_dict(meta["scheduler"])
    torch.set_rng_state(torch.tensor(meta["torch_rng"], dtype=torch.uint8))
    return meta["next_epoch"], [EpochResult(**h) for h in meta["history"]]

"""Train a digit classifier on MNIST (optionally plus replayed pen trajectories) and save a checkpoint.

    python -m mnist.train --model cnn --data-dir ../shared/data/mnist          # default CNN
    python -m mnist.train --model lenet5 --epochs 8 --data-dir ../shared/data/mnist
    python -m mnist.train --dry-run --data-dir ../shared/data/mnist            # one batch, for CI
    MNIST_DIR=../shared/data/mnist python -m mnist.train --resume              # continue a stopped run

Without --data-dir / $MNIST_DIR the data comes from the Hugging Face Hub (ylecun/mnist).
`--pen-writers train` adds the pen trajectories of 20 of the 30 pendigits writers, replayed on canvases
like the app's sketchpad and put through the app's own preprocessing; the other 10 writers
(strokes.HELD_OUT_WRITERS) are held out and measured after training as "drawn-digit accuracy".
`--pen-style mixed` draws each replay in one of mnist.strokes.STYLES: transparent canvas, the browser's opaque
white canvas with 20-100 px brushes, or the trajectory changed as another writer would draw it.
`--uji2-variants N` adds N replays of each digit of UJI Pen Characters v2's 36 training writers (other
tablets, many more hands; mnist.strokes.uji2_group): the tuning and validation writers are never trained on.
The checkpoint (weights + JSON card with metrics and the exact command) goes to checkpoints/mnist_<model>.
"""
from __future__ import annotations

import argparse
import shlex
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from common.checkpoint import save_checkpoint
from common.training import fit, predict, set_seed
from mnist.augment import AugmentConfig, make_batch_transform
from mnist.data import CLASSES, HUB_DATASET, MEAN, STD, load_mnist_tensors, normalise
from mnist.model import build_model, count_parameters
from mnist.preprocess import prepare_digit
from mnist.strokes import (HELD_OUT_WRITERS, PENDIGITS, STYLES, UJI2, parse_pendigits, parse_uji2, replay_set,
                           split_writers)


@dataclass
class TrainConfig:
    model: str = "cnn"
    epochs: int = 8
    seed: int = 1
    augment: str = "strokes"
    batch_size: int = 128
    lr: float = 4e-3
    weight_decay: float = 5e-4
    label_smoothing: float = 0.0   # share of each target spread over the other classes (curbs overconfidence)
    data_dir: str | None = None
    pen_writers: str = "none"      # "train": add the 20 training writers' replayed pen digits
    pendigits: str = str(PENDIGITS)
    pen_variants: int = 2          # replays of each pen digit (different size, place, brush, colour)
    pen_style: str = "sketchpad"   # how replays are drawn (mnist.strokes.STYLES, or "mixed": any of them)
    one_flags: float = 0.0         # share of replayed 1s given a flatter, longer flag (mnist.strokes.vary_one_flag)
    crossed_sevens: float = 0.0    # share of replayed 7s given a cross-bar (mnist.strokes.cross_seven)
    uji2: str = str(UJI2)
    uji2_variants: int = 0         # replays of each UJI2 training writer's digit (0: UJI2 not used)
    out: str | None = None
    threads: int = 2
    clean_epochs: int = 0          # last epochs trained without augmentation, on images like the test set's
    extra_dir: str | None = None   # <dir>/<0-9>/*.png added to training, e.g. corrections (python -m ui.flagging)
    dry_run: bool = False
    resume: bool = False


class TensorBatches:
    """Shuffled batches cut from in-memory tensors (no per-sample collate: fast on a CPU)."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, batch_size: int, shuffle: bool):
        self.images, self.labels, self.batch_size, self.shuffle = images, labels, batch_size, shuffle

    def __len__(self) -> int:
        return -(-len(self.labels) // self.batch_size)

    def __iter__(self):
        order = torch.randperm(len(self.labels)) if self.shuffle else torch.arange(len(self.labels))
        for start in range(0, len(order), self.batch_size):
            index = order[start:start + self.batch_size]
            yield self.images[index], self.labels[index]


def replayed_pen_digits(train_digits, variants: int, seed: int, limit: int | None = None,
                        style: str = "sketchpad", one_flags: float = 0.0, crossed_sevens: float = 0.0):
    """(uint8 N x 1 x 28 x 28, labels) of pen digits replayed on 400 px canvases and preprocessed like the app."""
    if limit is not None:
        train_digits = train_digits[:limit]
    images, labels = [], []
    # 400 px canvases look like half-size 800 px ones (random_drawing scales the brush) and replay 4x faster.
    for label, canvas in replay_set(train_digits, seed, canvas_size=400, variants=variants, style=style,
                                   one_flags=one_flags, crossed_sevens=crossed_sevens):
        prepared = prepare_digit(canvas)
        if prepared.is_empty:
            continue
        images.append(prepared.image)
        labels.append(label)
    return torch.from_numpy(np.stack(images)).unsqueeze(1), torch.tensor(labels, dtype=torch.int64)


def folder_digits(folder: str | Path) -> tuple[torch.Tensor, torch.Tensor]:
    """(uint8 N x 1 x 28 x 28, labels) from <folder>/<0-9>/*.png: 28 x 28 white-on-black digits as the model saw
    them, e.g. the corrections `python -m ui.flagging` exports to runs/flagged_data/digits."""
    from PIL import Image

    images, labels = [], []
    for label in range(len(CLASSES)):
        for path in sorted((Path(folder) / str(label)).glob("*.png")):
            image = Image.open(path).convert("L")
            if image.size != (28, 28):
                image = image.resize((28, 28), Image.Resampling.BOX)
            images.append(np.asarray(image))
            labels.append(label)
    if not images:
        raise SystemExit(f"--extra-dir {folder}: no digit images in {folder}/<0-9>/*.png")
    return torch.from_numpy(np.stack(images)).unsqueeze(1), torch.tensor(labels, dtype=torch.int64)


def per_class_accuracy(probs: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    predicted = probs.argmax(1)
    return {name: round((predicted[labels == k] == k).float().mean().item(), 4) for k, name in enumerate(CLASSES)}


def train(config: TrainConfig) -> dict:
    """Train, evaluate, save; return the model card."""
    began = time.perf_counter()
    torch.set_num_threads(config.threads)
    set_seed(config.seed)
    limit = 512 if config.dry_run else None
    data = load_mnist_tensors(config.data_dir, limit=limit)
    train_images, train_labels = data["train"]
    test_images, test_labels = data["test"]
    pen_count = uji2_count = 0
    replay_options = dict(limit=64 if config.dry_run else None, style=config.pen_style,
                          one_flags=config.one_flags, crossed_sevens=config.crossed_sevens)
    if config.pen_writers == "train":
        pendigits_train, _ = split_writers(parse_pendigits(config.pendigits), set(HELD_OUT_WRITERS))
        pen_images, pen_labels = replayed_pen_digits(pendigits_train, config.pen_variants, config.seed,
                                                     **replay_options)
        pen_count = len(pen_labels)
        train_images = torch.cat([train_images, pen_images])
        train_labels = torch.cat([train_labels, pen_labels])
        print(f"added {pen_count} replayed pen digits from writers not in {sorted(HELD_OUT_WRITERS)}")
    if config.uji2_variants:
        # Another seed than pendigits' so the two sets do not share their sequence of drawing choices.
        uji2_images, uji2_labels = replayed_pen_digits(parse_uji2(config.uji2, "train"), config.uji2_variants,
                                                       config.seed + 1000, **replay_options)
        uji2_count = len(uji2_labels)
        train_images = torch.cat([train_images, uji2_images])
        train_labels = torch.cat([train_labels, uji2_labels])
        print(f"added {uji2_count} replayed UJI2 digits of its training writers")
    extra_count = 0
    if config.extra_dir:
        extra_images, extra_labels = folder_digits(config.extra_dir)
        extra_count = len(extra_labels)
        train_images = torch.cat([train_images, extra_images])
        train_labels = torch.cat([train_labels, extra_labels])
        print(f"added {extra_count} digits from {config.extra_dir}")
    print(f"training on {len(train_labels)} images, testing on {len(test_labels)}")

    model = build_model(config.model).to(memory_format=torch.channels_last)
    train_loader = TensorBatches(train_images, train_labels, config.batch_size, shuffle=True)
    test_loader = TensorBatches(normalise(test_images), test_labels, 1000, shuffle=False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, epochs=config.epochs,
                                                    steps_per_epoch=len(train_loader), pct_start=0.2)
    name = f"mnist_{config.model}"
    # Beside --out when given, so runs with different --out can train at the same time.
    state_path = Path(config.out).with_suffix(".state") if config.out else Path("runs") / f"{name}.state"
    if not config.resume:
        for suffix in (".json", ".safetensors"):
            state_path.with_suffix(suffix).unlink(missing_ok=True)
    history = fit(model, train_loader, test_loader, optimizer, config.epochs, scheduler=scheduler,
                  batch_transform=make_batch_transform(config.augment), state_path=state_path,
                  dry_run=config.dry_run, final_transform=make_batch_transform("none"),
                  final_epochs=config.clean_epochs, label_smoothing=config.label_smoothing)
    train_seconds = time.perf_counter() - began

    probs, labels = predict(model, test_loader)
    test_accuracy = (probs.argmax(1) == labels).float().mean().item()
    print(f"MNIST test accuracy {test_accuracy:.4%} after {train_seconds / 60:.1f} min")
    card = {
        "architecture": config.model,
        "architecture_description": (model.__doc__ or "").strip().splitlines()[0],
        "parameters": count_parameters(model),
        "classes": CLASSES,
        "preprocessing": {
            "description": "ink (alpha, or colour difference from the background) cropped to its bounding box, "
                           "stroke width normalised, longer side scaled to 20 px (antialiased), pasted into "
                           "28x28 centred by centre of mass, white on black (mnist/preprocess.py)",
            "input_size": 28, "mean": MEAN, "std": STD,
        },
        "metrics": {
            "mnist_test_accuracy": round(test_accuracy, 5),
            "mnist_test_per_class_accuracy": per_class_accuracy(probs, labels),
            "mnist_test_images": len(labels),
        },
        "data": {
            "mnist": f"MNIST train split (60,000 images) from {'local IDX files' if config.data_dir else HUB_DATASET}",
            "pen_digits": (f"{pen_count} replays ({config.pen_variants} per digit, style {config.pen_style!r}, "
                           f"{config.one_flags:.0%} of the 1s with a varied flag, {config.crossed_sevens:.0%} of "
                           f"the 7s crossed) of UCI pendigits trajectories from the 20 writers not in "
                           f"{sorted(HELD_OUT_WRITERS)}" if pen_count else "none"),
            "held_out_writers": sorted(HELD_OUT_WRITERS),
            "uji2_digits": (f"{uji2_count} replays ({config.uji2_variants} per digit, same styles and habits) of "
                            "UJI Pen Characters v2 digits (Prat et al., UCI, CC BY 4.0, doi:10.24432/C5FG8S) of its "
                            "36 training writers (mnist.strokes.uji2_group); tuning writers W02, W07, ... and "
                            "validation writers W05, W10, ... never trained on" if uji2_count else "none"),
            "extra": f"{extra_count} digits from {config.extra_dir}" if extra_count else "none",
        },
        "training": {
            "epochs": config.epochs, "seed": config.seed, "batch_size": config.batch_size, "lr": config.lr,
            "optimizer": "AdamW + OneCycleLR", "weight_decay": config.weight_decay,
            "label_smoothing": config.label_smoothing,
            "augmentation": config.augment + (f" ({asdict(AugmentConfig())})" if config.augment != "none" else ""),
            "clean_final_epochs": config.clean_epochs,
            "wall_time_minutes": round(train_seconds / 60, 2),
            "threads": config.threads, "torch": torch.__version__,
            "history": [asdict(h) for h in history],
        },
        "train_command": "python -m mnist.train " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
    }
    if config.dry_run:
        print("dry run: checkpoint not written")
        return card
    out = config.out or f"checkpoints/{name}"
    card = save_checkpoint(model, out, card)
    print(f"wrote {out}.safetensors ({card['weights']['bytes'] / 1e6:.2f} MB) and {out}.json")
    return card


def parse_args(argv=None) -> TrainConfig:
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["cnn", "lenet5"], default=defaults.model, help="architecture")
    parser.add_argument("--epochs", type=int, default=defaults.epochs, help="passes over the training set")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="random seed (data order, augmentation, init)")
    parser.add_argument("--augment", choices=["none", "strokes"], default=defaults.augment,
                        help="'strokes': random affine + elastic + stroke width, batched; 'none': no augmentation")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size, help="training batch size")
    parser.add_argument("--lr", type=float, default=defaults.lr, help="peak learning rate of the one-cycle schedule")
    parser.add_argument("--weight-decay", type=float, default=defaults.weight_decay, help="AdamW weight decay")
    parser.add_argument("--label-smoothing", type=float, default=defaults.label_smoothing,
                        help="cross-entropy label smoothing, e.g. 0.1")
    parser.add_argument("--data-dir", default=None, help="folder of MNIST IDX files (default: $MNIST_DIR, else the Hub)")
    parser.add_argument("--pen-writers", choices=["none", "train"], default=defaults.pen_writers,
                        help="'train': add replayed pen digits of the 20 non-held-out pendigits writers")
    parser.add_argument("--pendigits", default=defaults.pendigits, help="pendigits-orig.tra file (for --pen-writers)")
    parser.add_argument("--pen-variants", type=int, default=defaults.pen_variants, help="replays per pen digit")
    parser.add_argument("--pen-style", choices=[*STYLES, "mixed"], default=defaults.pen_style,
                        help="how pen digits are replayed: 'sketchpad' (transparent, brush 8-40 px), 'browser' (opaque "
                             "white, brush 20-100 px), 'varied' (other writers' hands, as in the browser), 'mixed'")
    parser.add_argument("--one-flags", type=float, default=defaults.one_flags,
                        help="share of replayed 1s drawn with a flatter, longer flag (European 1s, often read as 7)")
    parser.add_argument("--crossed-sevens", type=float, default=defaults.crossed_sevens,
                        help="share of replayed 7s drawn with a continental cross-bar")
    parser.add_argument("--uji2", default=defaults.uji2, help="UJI2 digits file (uji2_digits.jsonl, for --uji2-variants)")
    parser.add_argument("--uji2-variants", type=int, default=defaults.uji2_variants,
                        help="replays of each digit of UJI2's 36 training writers (0: do not use UJI2)")
    parser.add_argument("--out", default=None, help="checkpoint stem (default checkpoints/mnist_<model>)")
    parser.add_argument("--threads", type=int, default=defaults.threads, help="torch CPU threads")
    parser.add_argument("--clean-epochs", type=int, default=defaults.clean_epochs,
                        help="train the last N epochs on un-augmented images")
    parser.add_argument("--extra-dir", default=None,
                        help="also train on <dir>/<0-9>/*.png, e.g. runs/flagged_data/digits from python -m ui.flagging")
    parser.add_argument("--dry-run", action="store_true", help="one batch of a small subset, nothing written (CI)")
    parser.add_argument("--resume", action="store_true",
                        help="continue from runs/mnist_<model>.state (or <out>.state with --out) if present")
    args = parser.parse_args(argv)
    return TrainConfig(**vars(args))


if __name__ == "__main__":
    train(parse_args())

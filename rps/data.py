"""Rock/paper/scissors image sets through Hugging Face `datasets`, labels mapped onto rock, paper, scissors.

    from rps.data import CLASSES, load_train, load_validation, load_hub
    train = load_train()        # drgfreeman: hands on a green chroma background (local imagefolder)
    val = load_validation()     # subhih: real rooms, square crops around hands (local imagefolder)
    cgi = load_hub()            # Laurence Moroney's CGI set from the Hub (needs the network)

Every loader returns a `datasets.Dataset` with columns `image` (PIL) and `label` (0 rock, 1 paper, 2 scissors),
whatever the source calls its classes. Paths: flags of the calling scripts, else the env vars RPS_TRAIN_DIR and
RPS_VAL_DIR, else ../shared/data/rps/{drgfreeman,subhih} beside the project root.

Run `python -m rps.data` to print what each local set holds.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from common.paths import SHARED_DATA

CLASSES = ["rock", "paper", "scissors"]
SHARED_RPS = SHARED_DATA / "rps"
HUB_DATASET = "Javtor/rock-paper-scissors"

# Names other sets use for the same gestures.
ALIASES = {"rock": "rock", "fist": "rock", "stone": "rock",
           "paper": "paper", "palm": "paper", "open": "paper", "open_hand": "paper", "five": "paper",
           "scissors": "scissors", "scissor": "scissors", "peace": "scissors", "v": "scissors", "two": "scissors"}


def train_dir() -> Path:
    return Path(os.environ.get("RPS_TRAIN_DIR", SHARED_RPS / "drgfreeman"))


def validation_dir() -> Path:
    return Path(os.environ.get("RPS_VAL_DIR", SHARED_RPS / "subhih"))


def class_index(name: str) -> int:
    """Index in CLASSES of a label name as some dataset spells it ("Rock", "scissor", "fist", ...)."""
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in ALIASES:
        raise ValueError(f"unknown rock/paper/scissors label {name!r}")
    return CLASSES.index(ALIASES[key])


def normalise_labels(dataset):
    """Rename the label column to `label` and re-map its values onto CLASSES order."""
    from datasets import ClassLabel

    label_column = "label" if "label" in dataset.column_names else "labels"
    feature = dataset.features[label_column]
    if isinstance(feature, ClassLabel):
        mapping = [class_index(name) for name in feature.names]
    else:  # plain strings or ints that already follow CLASSES
        mapping = None

    def remap(batch):
        values = batch[label_column]
        if mapping is not None:
            return {"label": [mapping[v] for v in values]}
        return {"label": [v if isinstance(v, int) else class_index(v) for v in values]}

    if label_column != "label":
        dataset = dataset.rename_column(label_column, "label")
        label_column = "label"
    dataset = dataset.map(remap, batched=True, features=None)
    return dataset.cast_column("label", ClassLabel(names=CLASSES))


def load_imagefolder(data_dir: str | Path, split: str | None = None):
    """A local folder with one sub-folder per class, through `load_dataset("imagefolder")`.

    `datasets` splits a folder by file names ("train__x.jpg", "test__y.jpg" in subhih); with `split=None`
    all splits are joined, which is what a validation set wants.
    """
    from datasets import concatenate_datasets, load_dataset

    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir} is not a folder of class sub-folders (set RPS_TRAIN_DIR/RPS_VAL_DIR)")
    loaded = load_dataset("imagefolder", data_dir=str(data_dir), split=split)
    if split is None:
        loaded = concatenate_datasets([loaded[name] for name in sorted(loaded)])
    return normalise_labels(loaded)


def load_parquet(files: str | list[str], split: str = "train"):
    """Parquet files with an image column and a label column (the Hub's format)."""
    from datasets import load_dataset

    return normalise_labels(load_dataset("parquet", data_files={split: files}, split=split))


def load_hub(name: str = HUB_DATASET, split: str = "train"):
    """Laurence Moroney's CGI hands (white background, CC BY 2.0) from the Hugging Face Hub. Needs the network."""
    from datasets import load_dataset

    return normalise_labels(load_dataset(name, split=split))


def load_train(data_dir: str | Path | None = None):
    return load_imagefolder(data_dir or train_dir())


def load_validation(data_dir: str | Path | None = None):
    return load_imagefolder(data_dir or validation_dir())


def rgb_arrays(dataset, limit: int | None = None):
    """Yield (RGB uint8 array, label) pairs; images pass through common.images.open_image (EXIF, modes)."""
    from common.images import flatten_alpha, open_image

    count = len(dataset) if limit is None else min(limit, len(dataset))
    for index in range(count):
        row = dataset[index]
        yield np.asarray(flatten_alpha(open_image(row["image"]))), int(row["label"])


def main() -> None:
    parser = argparse.ArgumentParser(description="Print the size and class counts of the local RPS sets.")
    parser.add_argument("--train-dir", default=None, help="training imagefolder (default: RPS_TRAIN_DIR or shared)")
    parser.add_argument("--val-dir", default=None, help="validation imagefolder (default: RPS_VAL_DIR or shared)")
    args = parser.parse_args()
    for name, dataset in [("train", load_train(args.train_dir)), ("validation", load_validation(args.val_dir))]:
        counts = np.bincount(dataset["label"], minlength=3)
        print(name, len(dataset), dict(zip(CLASSES, counts.tolist())))


if __name__ == "__main__":
    main()

"""MNIST as in-memory tensors, loaded through Hugging Face `datasets`.

Two sources, the same result (a `datasets.DatasetDict` with splits train/test and features image/label,
like the Hub's `ylecun/mnist`):
  - a local folder with the four original IDX files, gzipped or not (`--data-dir` or $MNIST_DIR);
  - the Hugging Face Hub (`ylecun/mnist`) when no folder is given (needs internet).

Training does not decode a PIL image per sample per epoch (far too slow on a CPU): `to_tensors` turns a
split into one uint8 tensor N x 1 x 28 x 28 once, and batches are cut from it.

    python -m mnist.data --data-dir ../shared/data/mnist     # prints split sizes and label counts
"""
from __future__ import annotations

import argparse
import gzip
import io
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image

HUB_DATASET = "ylecun/mnist"
CLASSES = [str(digit) for digit in range(10)]
# Statistics of the MNIST training images (pixel values scaled to 0..1): the normalisation used everywhere.
MEAN, STD = 0.1307, 0.3081
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# IDX type codes (third byte of the magic number) -> numpy dtype, big-endian as the format says.
IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """Parse one IDX file (gzipped if its name ends in .gz) into a numpy array of its declared shape."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        data = file.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number)")
    dtype, ndim = np.dtype(IDX_DTYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(f"{path}: header says {shape} ({expected} bytes) but {len(data) - header} bytes follow")
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def find_idx_file(folder: Path, stem: str) -> Path:
    """The file `stem` in `folder`, gzipped or not (also accepts the `t10k-images.idx3-ubyte` spelling)."""
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"{folder} has no {stem}[.gz] (the original MNIST IDX files are expected there)")


def read_idx_split(folder: str | Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(images N x 28 x 28 uint8, labels N int64) of one split from a folder of IDX files."""
    folder = Path(folder)
    images_name, labels_name = IDX_FILES[split]
    images = read_idx(find_idx_file(folder, images_name))
    labels = read_idx(find_idx_file(folder, labels_name)).astype(np.int64)
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"{folder}: {split} images {images.shape} and labels {labels.shape} do not match")
    return images.astype(np.uint8), labels


def features():
    import datasets

    return datasets.Features({"image": datasets.Image(), "label": datasets.ClassLabel(names=CLASSES)})


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def dataset_from_arrays(images: np.ndarray, labels: np.ndarray):
    """A `datasets.Dataset` with the Hub's features (image: PNG-encoded Image, label: ClassLabel)."""
    import datasets

    # Encoding the PNGs here is ~2x faster than letting `datasets` encode numpy arrays one by one.
    column = [{"bytes": png_bytes(image), "path": None} for image in images]
    return datasets.Dataset.from_dict({"image": column, "label": labels.tolist()}, features=features())


def load_mnist(data_dir: str | Path | None = None, splits=("train", "test"), limit: int | None = None):
    """DatasetDict of MNIST from `data_dir` (or $MNIST_DIR) if given, else from the Hugging Face Hub.

    `limit` keeps the first N images of each split (tests, dry runs)."""
    import datasets

    data_dir = data_dir or os.environ.get("MNIST_DIR")
    if data_dir:
        parts = {}
        for split in splits:
            images, labels = read_idx_split(data_dir, split)
            parts[split] = dataset_from_arrays(images[:limit], labels[:limit])
        return datasets.DatasetDict(parts)
    hub = datasets.load_dataset(HUB_DATASET)
    return datasets.DatasetDict({s: hub[s] if limit is None else hub[s].select(range(min(limit, len(hub[s]))))
                                 for s in splits})


def to_tensors(split) -> tuple[torch.Tensor, torch.Tensor]:
    """(uint8 images N x 1 x 28 x 28, int64 labels N) of a `datasets.Dataset` split, decoded once."""
    import datasets

    # Reading the raw PNG bytes and decoding them here skips `datasets`' per-row formatting (~3x faster).
    raw = split.cast_column("image", datasets.Image(decode=False))["image"]
    images = np.stack([np.asarray(Image.open(io.BytesIO(row["bytes"])).convert("L")) for row in raw])
    labels = np.asarray(split["label"], dtype=np.int64)
    return torch.from_numpy(images).unsqueeze(1).contiguous(), torch.from_numpy(labels)


def load_mnist_tensors(data_dir: str | Path | None = None, splits=("train", "test"), limit: int | None = None):
    """{split: (images uint8 N x 1 x 28 x 28, labels)}; `limit` keeps the first N of each split (tests, dry runs)."""
    dataset = load_mnist(data_dir, splits, limit)
    return {split: to_tensors(dataset[split]) for split in splits}


def normalise(images_uint8_or_unit: torch.Tensor) -> torch.Tensor:
    """uint8 0..255 (or float 0..1) images -> the float input the models expect."""
    images = images_uint8_or_unit
    if images.dtype == torch.uint8:
        images = images.float().div_(255.0)
    return (images - MEAN) / STD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None, help="folder of MNIST IDX files (default: $MNIST_DIR, else the Hub)")
    args = parser.parse_args()
    for split, (images, labels) in load_mnist_tensors(args.data_dir).items():
        print(split, tuple(images.shape), "label counts", torch.bincount(labels, minlength=10).tolist())


if __name__ == "__main__":
    main()

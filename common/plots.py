"""Evaluation figures both demos write: a confusion matrix and a gallery of mistakes (PNG files).

    save_confusion_matrix(matrix, class_names, "artifacts/mnist_confusion.png", title="...")
    save_error_gallery(images, true_labels, predicted, confidences, class_names, "artifacts/errors.png")
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on servers and CI
import matplotlib.pyplot as plt
import numpy as np


def save_confusion_matrix(matrix: np.ndarray, class_names: list[str], path: str | Path, title: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 1.6 + 0.55 * len(class_names)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(class_names)), class_names, rotation=45 if len(class_names) > 10 else 0)
    ax.set_yticks(range(len(class_names)), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, col), count in np.ndenumerate(matrix):
        ax.text(col, row, str(count), ha="center", va="center", fontsize=8,
                color="white" if count > threshold else "black")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def save_error_gallery(images, true_labels, predicted, confidences, class_names: list[str], path: str | Path,
                       columns: int = 8, title: str = "") -> Path:
    """`images`: a sequence of HxW or HxWx3 arrays; shows at most 64 with "true -> predicted (p)"."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = min(len(images), 64)
    rows = max(1, -(-count // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.5, rows * 1.7), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= count:
            continue
        ax.imshow(images[index], cmap="gray" if np.ndim(images[index]) == 2 else None)
        ax.set_title(f"{class_names[true_labels[index]]}→{class_names[predicted[index]]} "
                     f"({confidences[index]:.2f})", fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

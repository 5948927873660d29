"""Evaluate a shipped digit checkpoint on the official MNIST test set (and optionally on drawn digits).

Writes accuracy and per-class accuracy to stdout, and a confusion matrix and a gallery of mistakes
(PNG) into --out (default artifacts/, git-ignored).

    python -m mnist.evaluate --model cnn --data-dir ../shared/data/mnist
    python -m mnist.evaluate --model lenet5 --drawn        # also held-out pen writers, replayed 800 x 800 in each style
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from common.plots import save_confusion_matrix, save_error_gallery
from common.training import accuracy, confusion_matrix, predict
from mnist.data import CLASSES, load_mnist_tensors, normalise
from mnist.predict import MODEL_CHOICES, load_model
from mnist.preprocess import naive_resize, prepare_digit
from mnist.strokes import HELD_OUT_WRITERS, PENDIGITS, STYLES, parse_pendigits, replay_set, split_writers
from mnist.train import TensorBatches, per_class_accuracy



def evaluate_mnist(model, data_dir=None, out: Path | None = None, name: str = "") -> dict:
    """Accuracy and per-class accuracy on the MNIST test split; figures into `out` if given."""
    images, labels = load_mnist_tensors(data_dir, splits=("test",))["test"]
    probs, labels = predict(model, TensorBatches(normalise(images), labels, 1000, shuffle=False))
    result = {"accuracy": accuracy(probs, labels), "per_class": per_class_accuracy(probs, labels)}
    if out is not None:
        predicted = probs.argmax(1)
        matrix = confusion_matrix(predicted, labels, len(CLASSES))
        result["confusion_png"] = str(save_confusion_matrix(
            matrix, CLASSES, out / f"mnist_{name}_confusion.png", title=f"{name} on MNIST test"))
        wrong = torch.nonzero(predicted != labels).flatten()
        result["errors_png"] = str(save_error_gallery(
            [images[i, 0].numpy() for i in wrong], labels[wrong].tolist(), predicted[wrong].tolist(),
            probs[wrong].max(1).values.tolist(), CLASSES, out / f"mnist_{name}_errors.png",
            title=f"{name}: {len(wrong)} MNIST test mistakes (true→predicted)"))
    return result


def drawn_digit_inputs(digits, seed: int, preprocessing: str = "mnist", canvas_size: int = 800,
                       style: str = "sketchpad", variants: int = 1):
    """(N x 1 x 28 x 28 normalised inputs, labels, 28 x 28 images) of pen digits replayed like sketchpad
    drawings in `style` (mnist.strokes.STYLES: "sketchpad" transparent, "browser" opaque white, "varied"),
    each digit `variants` times (all digits once, then all again: see mnist.strokes.replay_set)."""
    prepare = prepare_digit if preprocessing == "mnist" else naive_resize
    tensors, labels, images = [], [], []
    for label, canvas in replay_set(digits, seed, canvas_size, variants=variants, style=style):
        prepared = prepare(canvas)
        if prepared.is_empty:   # cannot happen for replayed strokes; counted as wrong if it did
            tensors.append(torch.full((1, 1, 28, 28), -1.0))
        else:
            tensors.append(prepared.tensor)
        labels.append(label)
        images.append(prepared.image)
    return torch.cat(tensors), torch.tensor(labels), images


def evaluate_drawn(model, pendigits: str, seed: int = 0, preprocessing: str = "mnist", writers=None,
                   style: str = "sketchpad") -> dict:
    """Accuracy on the held-out writers' pen digits replayed on 800 x 800 canvases in `style`."""
    digits = parse_pendigits(pendigits)
    _, held_out = split_writers(digits, set(HELD_OUT_WRITERS if writers is None else writers))
    inputs, labels, _ = drawn_digit_inputs(held_out, seed, preprocessing, style=style)
    probs, labels = predict(model, TensorBatches(inputs, labels, 500, shuffle=False))
    return {"accuracy": accuracy(probs, labels), "count": len(labels), "per_class": per_class_accuracy(probs, labels)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=MODEL_CHOICES, default="cnn", help="which checkpoint to evaluate")
    parser.add_argument("--data-dir", default=None, help="folder of MNIST IDX files (default: $MNIST_DIR, else the Hub)")
    parser.add_argument("--out", default="artifacts", help="folder for the confusion-matrix and errors PNGs")
    parser.add_argument("--drawn", action="store_true", help="also measure drawn (replayed pen) digits of held-out writers")
    parser.add_argument("--pendigits", default=str(PENDIGITS), help="pendigits-orig.tra file (for --drawn)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the drawing styles for --drawn")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = load_model(args.model)
    result = evaluate_mnist(model, args.data_dir, Path(args.out), args.model)
    print(f"{args.model}: MNIST test accuracy {result['accuracy']:.4%}")
    print("per class:", result["per_class"])
    print("figures:", result["confusion_png"], result["errors_png"])
    if args.drawn:
        for style in STYLES:
            drawn = evaluate_drawn(model, args.pendigits, args.seed, style=style)
            print(f"{args.model}: drawn digits of held-out writers, {style} style: {drawn['accuracy']:.4%} "
                  f"({drawn['count']} digits)")


if __name__ == "__main__":
    main()

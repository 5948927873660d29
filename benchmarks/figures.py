"""Draw the figures of the "How it was made" tab (benchmarks/results/figures/*.png and figures.json).

    python -m benchmarks.figures            # all figures (~2 min; needs ../shared/data and runs/rps_landmarks.npz
                                            # from `python -m rps.cache`)
    python -m benchmarks.figures --curves   # only the training curves (from the checkpoint cards; no data needed)

Each entry of figures.json names the command that drew it; ui/results.py shows them.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from common.paths import SHARED_DATA
from mnist.strokes import PENDIGITS
from ui.results import FIGURES, INDEX, ROOT, card, history_of

COMMAND = "python -m benchmarks.figures"
CURVE_MODELS = ["mnist_cnn", "mnist_lenet5", "rps_landmarks", "rps_efficientnet_lite0", "rps_lenet"]
GALLERY_SIZE = 16

def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_training_curves(name: str, history: list[dict], path: Path) -> Path:
    """Loss (left axis) and evaluation accuracy (right axis) per epoch."""
    plt = _plt()
    epochs = [h["epoch"] for h in history]
    fig, loss_axis = plt.subplots(figsize=(4.6, 3.0))
    loss_axis.plot(epochs, [h["train_loss"] for h in history], "o-", color="#c0392b", label="training loss")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("training loss", color="#c0392b")
    accuracy_axis = loss_axis.twinx()
    accuracy_axis.plot(epochs, [h["eval_accuracy"] for h in history], "s-", color="#1f4fd6", label="accuracy")
    accuracy_axis.set_ylabel("accuracy (MNIST test)" if name.startswith("mnist") else "accuracy (SubhiH)",
                             color="#1f4fd6")
    loss_axis.set_xticks(epochs)
    loss_axis.set_title(name)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def curve_entries() -> list[dict]:
    entries = []
    for name in CURVE_MODELS:
        data = card(name)
        history = history_of(data) if data else []
        if not history:
            continue
        save_training_curves(name, history, FIGURES / f"curves_{name}.png")
        # An averaged checkpoint (mnist.average) carries its first member's history.
        command = data.get("member_train_commands", [data.get("train_command", "training")])[0]
        which = f"its first of {data['members']} members, " if data.get("members", 1) > 1 else ""
        entries.append({"file": f"curves_{name}.png", "group": "curves", "command": f"{COMMAND} --curves",
                        "title": f"{name}: training loss and accuracy per epoch ({which}from checkpoints/{name}.json, "
                                 f"trained by `{command}`)"})
    return entries


def rps_entries(cache_path: Path) -> list[dict]:
    """The shipped ensemble on SubhiH, the app's way: confusion matrix and the misread photos."""
    from common.plots import save_confusion_matrix
    from rps.data import CLASSES
    from rps.hands import Hand, HandSearch
    from rps.hard import plain_set, second_looks
    from rps.predict import read_hand

    # The app's hand search (rps.hands.find_hands_twice) on every photo, cached in runs/ by rps.hard.
    photos, search = plain_set(cache_path)
    looks = second_looks(search)
    predicted, wrong = [], []
    for index, rgb in enumerate(photos.images):
        hands = [Hand(search["points"][index], "", 1.0)] if search["found"][index] else []
        found = HandSearch(hands, (rgb.shape[1], rgb.shape[0]), looks[index])
        reading = read_hand(rgb, found, mask=True)
        best = max(reading.probabilities, key=reading.probabilities.get)
        predicted.append(CLASSES.index(best))
        if predicted[-1] != photos.labels[index]:
            wrong.append((rgb, int(photos.labels[index]), predicted[-1], reading.probabilities[best]))
    labels = np.array(photos.labels)
    matrix = np.zeros((3, 3), np.int64)
    np.add.at(matrix, (labels, np.array(predicted)), 1)
    accuracy = float(np.mean(labels == np.array(predicted)))
    save_confusion_matrix(matrix, CLASSES, FIGURES / "rps_confusion_ensemble.png",
                          title=f"ensemble on SubhiH: {accuracy:.3f}")
    save_gallery(wrong[:GALLERY_SIZE], CLASSES, FIGURES / "rps_misread.png",
                 f"{len(wrong)} of {len(labels)} SubhiH photos misread (true → read)")
    command = COMMAND  # after `python -m rps.cache` and `python -m rps.hard`, whose searches it reuses
    return [{"file": "rps_confusion_ensemble.png", "group": "rps", "command": command,
             "title": f"Confusion matrix: the default ensemble, masking on, {len(labels)} SubhiH photos (rows: true)"},
            {"file": "rps_misread.png", "group": "rps", "command": command,
             "title": f"Misread photos ({min(len(wrong), GALLERY_SIZE)} of {len(wrong)}; SubhiH HandsDataset, Apache-2.0)"}]


def digits_entries(mnist_dir: Path, pendigits: Path) -> list[dict]:
    """The shipped CNN: confusion matrix on MNIST test, and drawn digits of held-out writers it misreads."""
    import torch

    from common.plots import save_confusion_matrix
    from common.training import confusion_matrix, predict
    from mnist.evaluate import drawn_digit_inputs
    from mnist.predict import load_model
    from mnist.strokes import HELD_OUT_WRITERS, parse_pendigits, split_writers
    from mnist.data import load_mnist_tensors, normalise
    from mnist.train import TensorBatches

    model = load_model("cnn")
    images, labels = load_mnist_tensors(str(mnist_dir), splits=("test",))["test"]
    probs, labels = predict(model, TensorBatches(normalise(images), labels, 1000, shuffle=False))
    matrix = confusion_matrix(probs.argmax(1), labels, 10)
    save_confusion_matrix(matrix, [str(d) for d in range(10)], FIGURES / "mnist_confusion_cnn.png",
                          title=f"cnn on MNIST test: {(probs.argmax(1) == labels).float().mean():.2%}")
    _, held_out = split_writers(parse_pendigits(str(pendigits)), set(HELD_OUT_WRITERS))
    inputs, drawn_labels, drawn_images = drawn_digit_inputs(held_out, seed=0)
    drawn_probs, drawn_labels = predict(model, TensorBatches(inputs, drawn_labels, 500, shuffle=False))
    read = drawn_probs.argmax(1)
    wrong = torch.nonzero(read != drawn_labels).flatten().tolist()
    items = [(drawn_images[i], int(drawn_labels[i]), int(read[i]), float(drawn_probs[i].max())) for i in wrong]
    save_gallery(items[:GALLERY_SIZE], [str(d) for d in range(10)], FIGURES / "digits_misread.png",
                 f"{len(wrong)} of {len(drawn_labels)} drawn digits misread (true → read)")
    return [{"file": "mnist_confusion_cnn.png", "group": "digits", "command": COMMAND,
             "title": "Confusion matrix: the default CNN on the 10,000 MNIST test digits (rows: true)"},
            {"file": "digits_misread.png", "group": "digits", "command": COMMAND,
             "title": f"Drawn digits the CNN misreads ({min(len(wrong), GALLERY_SIZE)} of {len(wrong)}; held-out "
                      "pendigits writers, replayed by this project; what the model saw)"}]


def save_gallery(items, class_names, path: Path, title: str, columns: int = 8) -> Path:
    """`items`: (image, true, read, confidence); small thumbnails with "true → read (p)"."""
    plt = _plt()
    rows = max(1, -(-len(items) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.4 + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (image, true, read, confidence) in zip(axes.flat, items):
        ax.imshow(image, cmap="gray_r" if np.ndim(image) == 2 else None)
        ax.set_title(f"{class_names[true]} → {class_names[read]} ({confidence:.2f})", fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_index(entries: list[dict]) -> None:
    """Merge `entries` into figures.json (by file), so partial runs keep the other figures."""
    old = {entry["file"]: entry for entry in (json.loads(INDEX.read_text()) if INDEX.exists() else [])}
    old.update({entry["file"]: entry for entry in entries})
    order = {"rps": 0, "digits": 1, "curves": 2}
    merged = sorted(old.values(), key=lambda entry: (order.get(entry["group"], 9), entry["file"]))
    INDEX.write_text(json.dumps(merged, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description="Draw the figures of the 'How it was made' tab.")
    parser.add_argument("--curves", action="store_true", help="only the training curves from the cards")
    parser.add_argument("--cache", default=str(ROOT / "runs" / "rps_landmarks.npz"))
    parser.add_argument("--mnist-dir", default=str(SHARED_DATA / "mnist"))
    parser.add_argument("--pendigits", default=str(PENDIGITS))
    args = parser.parse_args()
    FIGURES.mkdir(parents=True, exist_ok=True)
    entries = curve_entries()
    if not args.curves:
        entries += rps_entries(Path(args.cache))
        entries += digits_entries(Path(args.mnist_dir), Path(args.pendigits))
    write_index(entries)
    for entry in entries:
        print("wrote", FIGURES / entry["file"])


if __name__ == "__main__":
    main()

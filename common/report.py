"""The "How it was made" page: tables and figures read from files the project's own commands write.

    python -m common.report            # (re)draws benchmarks/results/figures/*.png and figures.json (~2 min;
                                       # needs ../shared/data and runs/rps_landmarks.npz from `python -m rps.cache`)
    python -m common.report --curves   # only the training curves (from the checkpoint cards; no data needed)

The page (`results_page()`, shown by app.py's third tab) is assembled at start-up from:
  - benchmarks/results/rps_eval.md        written by `python -m rps.evaluate`
  - benchmarks/results/digits_drawn.md    written by `python -m benchmarks.drawn_digits`
  - benchmarks/results/personal_rps.md    written by `python -m benchmarks.personal_rps`
  - checkpoints/*.json                    the cards training writes (metrics, and loss / accuracy per epoch)
  - benchmarks/results/figures/figures.json + *.png   written by this module, each entry naming its command
Nothing on the page is typed in by hand; a missing file is left out with a line saying which command makes it.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FIGURES = RESULTS / "figures"
INDEX = FIGURES / "figures.json"
CHECKPOINTS = ROOT / "checkpoints"
COMMAND = "python -m common.report"
CURVE_MODELS = ["mnist_cnn", "mnist_lenet5", "rps_landmarks", "rps_efficientnet_lite0", "rps_lenet"]
GALLERY_SIZE = 16


@dataclass
class Block:
    """One piece of the page: Markdown text, or a figure (`image` path) with `text` as its caption."""
    text: str
    image: str | None = None


# ---------------------------------------------------------------- reading what the commands wrote

def markdown_tables(text: str) -> list[str]:
    """The Markdown tables in `text`, each as one string (header, rule and rows)."""
    tables, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append("\n".join(current))
            current = []
    return tables


def section_from(name: str, command: str, intro: str, which: list[int] | None = None) -> Block:
    path = RESULTS / name
    if not path.exists():
        return Block(f"*{intro}: not measured yet; `{command}` writes `benchmarks/results/{name}`.*")
    tables = markdown_tables(path.read_text())
    chosen = [tables[i] for i in (which if which is not None else range(len(tables))) if i < len(tables)]
    return Block(f"{intro} (from `benchmarks/results/{name}`, written by `{command}`):\n\n" + "\n\n".join(chosen))


def card(name: str) -> dict | None:
    path = CHECKPOINTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def history_of(card_data: dict) -> list[dict]:
    """Loss / accuracy per epoch as training wrote it into the card (mnist: training.history; rps: metrics.history)."""
    for part in ("training", "metrics"):
        section = card_data.get(part)
        if isinstance(section, dict) and section.get("history"):
            return section["history"]
    return []


def digits_table() -> Block:
    rows = ["| model | MNIST test (10k) | drawn digits, held-out writers | parameters | epochs |", "|---|---|---|---|---|"]
    for name in ("mnist_cnn", "mnist_lenet5"):
        data = card(name)
        if data is None:
            continue
        metrics = data["metrics"]
        drawn = metrics.get("drawn_digits", {}).get("held_out_writers_mnist_style")
        rows.append(f"| `{name.split('_', 1)[1]}` | {metrics['mnist_test_accuracy']:.2%} | "
                    f"{'—' if drawn is None else f'{drawn:.2%}'} | {data.get('parameters', '—'):,} | "
                    f"{data.get('training', {}).get('epochs', '—')} |")
    return Block("Digits (from the cards `checkpoints/mnist_*.json`, written by `python -m mnist.train` and "
                 "`python -m benchmarks.drawn_digits --update-cards`):\n\n" + "\n".join(rows))


def figures() -> list[dict]:
    if not INDEX.exists():
        return []
    entries = json.loads(INDEX.read_text())
    return [entry for entry in entries if (FIGURES / entry["file"]).exists()]


def figure_blocks(group: str) -> list[Block]:
    return [Block(f"{entry['title']} — made by `{entry['command']}`", str(FIGURES / entry["file"]))
            for entry in figures() if entry["group"] == group]


def results_page() -> list[Block]:
    """Everything the "How it was made" tab shows, in order."""
    blocks = [Block("## How it was made\nEvery table and figure here is read from files the project's commands "
                    "write; each says which command. Figures: `python -m common.report`.")]
    blocks.append(Block("### Rock / paper / scissors\nTrained only on green-screen studio photos (drgfreeman); "
                        "measured on 1,063 photos of other people in their own rooms (SubhiH). The original "
                        "student project reached 0.45 (LeNet) and 0.70 (VGG16)."))
    blocks.append(section_from("rps_eval.md", "python -m rps.evaluate", "Accuracy on real rooms", [0, 1]))
    blocks += figure_blocks("rps")
    blocks.append(section_from("personal_rps.md", "python -m benchmarks.personal_rps",
                               "Teach it your hand: a few photos per person", [0, 1]))
    blocks.append(Block("### Digits\nTrained on MNIST plus replayed pen strokes of 20 writers; the drawn digits "
                        "are 10 other writers' strokes replayed on the sketchpad's canvas."))
    blocks.append(digits_table())
    blocks.append(section_from("digits_drawn.md", "python -m benchmarks.drawn_digits", "Drawn digits", [0]))
    blocks.append(section_from("digits_drawn.md", "python -m benchmarks.drawn_digits",
                               "Drawn digits per source: all drawings and the worst writer", [1]))
    blocks += figure_blocks("digits")
    blocks.append(Block("### Training curves\nLoss and accuracy per epoch, as training wrote them into each "
                        "checkpoint's card."))
    blocks += figure_blocks("curves")
    blocks.append(Block("*Photos in the gallery: SubhiH HandsDataset (Apache-2.0). Drawn digits: UCI pendigits "
                        "strokes (Alpaydin & Alimoglu, CC BY 4.0) replayed by this project.*"))
    return blocks


# ---------------------------------------------------------------- drawing the figures

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
    parser.add_argument("--mnist-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--pendigits", default=str(ROOT.parent / "shared" / "data" / "digits" / "pendigits" /
                                                   "pendigits-orig.tra"))
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

"""The "How it was made" tab: tables and figures read from files the project's own commands write.

The page (`results_page()`, shown by `results_tab()`) is assembled at start-up from:
  - benchmarks/results/rps_people.md      written by `python -m rps.evaluate_people`
  - benchmarks/results/rps_eval.md        written by `python -m rps.evaluate`
  - benchmarks/results/digits_drawn.md    written by `python -m benchmarks.drawn_digits`
  - benchmarks/results/personal_rps.md    written by `python -m benchmarks.personal_rps`
  - benchmarks/results/rps_people_families.md  written by `python -m rps.people_families`
  - checkpoints/*.json                    the cards training writes (metrics, and loss / accuracy per epoch)
  - benchmarks/results/figures/figures.json + *.png   written by `python -m benchmarks.figures`, each naming its command
Nothing on the page is typed in by hand; a missing file is left out with a line saying which command makes it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FIGURES = RESULTS / "figures"
INDEX = FIGURES / "figures.json"
CHECKPOINTS = ROOT / "checkpoints"


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
                    "write; each says which command. Figures: `python -m benchmarks.figures`.")]
    blocks.append(Block("### Rock / paper / scissors\nThe landmarks model and EfficientNet-Lite0 learn from "
                        "green-screen studio photos (drgfreeman) and from the real hands of the *training* people "
                        "(`rps/people.py`); every figure below is per person, and *validation* people are never "
                        "tuned on. The original student project reached 0.45 (LeNet) and 0.70 (VGG16) on real photos."))
    blocks.append(section_from("rps_people.md", "python -m rps.evaluate_people",
                               "Real people, person by person (mean / worst person), and real photos without a hand",
                               [0, 1]))
    blocks.append(section_from("rps_people_families.md", "python -m rps.people_families",
                               "The same people's photos made hard (cut, too close, blurred, dim, compressed, turned, "
                               "224 px): where the app is weakest", [0]))
    blocks.append(Block("How far masking the background got models trained on green-screen photos alone, before "
                        "they also learnt from real hands (SubhiH's 1,063 photos):"))
    blocks.append(section_from("rps_eval.md", "python -m rps.evaluate", "Green-screen training only, on real rooms", [0, 1]))
    blocks += figure_blocks("rps")
    blocks.append(section_from("personal_rps.md", "python -m benchmarks.personal_rps",
                               "Teach it your hand: a few photos per person", [0, 1]))
    blocks.append(Block("### Digits\nTrained on MNIST plus replayed pen strokes of 20 writers; the drawn digits "
                        "are 10 other writers' strokes replayed on the sketchpad's canvas."))
    blocks.append(digits_table())
    blocks.append(section_from("digits_drawn.md", "python -m benchmarks.drawn_digits", "Drawn digits", [0]))
    blocks.append(section_from("digits_drawn.md", "python -m benchmarks.drawn_digits",
                               "Drawn digits per source: all drawings and the worst writer", [1]))
    blocks.append(section_from("digits_drawn.md", "python -m benchmarks.drawn_digits",
                               "Per writer: pendigits held-out writers, then UJI2's never-tuned validation writers",
                               [2, 6]))
    blocks += figure_blocks("digits")
    blocks.append(Block("### Training curves\nLoss and accuracy per epoch, as training wrote them into each "
                        "checkpoint's card."))
    blocks += figure_blocks("curves")
    blocks.append(Block("*Photos in the gallery: SubhiH HandsDataset (Apache-2.0). Drawn digits: UCI pendigits "
                        "strokes (Alpaydin & Alimoglu, CC BY 4.0) replayed by this project.*"))
    return blocks


def results_tab() -> None:
    """The tab itself: each block as Markdown, or as a figure with its caption."""
    for block in results_page():
        if block.image is None:
            gr.Markdown(block.text, elem_classes=["results-text"])
        else:
            with gr.Group():
                gr.Image(block.image, show_label=False, interactive=False, buttons=["fullscreen"],
                         height=360, elem_classes=["results-figure"])
                gr.Markdown(f"<small>{block.text}</small>", elem_classes=["results-caption"])

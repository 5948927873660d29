""""Wrong? Correct it": corrections saved through Gradio's own flagging, and turned into training data later.

Off by default, because the app may run on a shared host where visitors' photos must not be kept. Turn it on:

    DEMO_FLAGGING=1 python app.py                  # corrections go to ./flagged/ (DEMO_FLAGGING_DIR moves it)

Each tab gets its own `gr.CSVLogger` folder (flagged/digits, flagged/rps): a `dataset1.csv` with the input,
the prediction, the correction and a timestamp, and the images copied beside it by Gradio.

    python -m ui.flagging                          # flagged/ -> runs/flagged_data/{digits,rps}/<label>/*.png

writes the corrected items as image folders, laid out like the training sets (one folder per class), ready to
be added to the next training run.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

import gradio as gr

from ui.errors import uploaded

ROOT = Path(__file__).resolve().parents[1]
ON_VALUES = {"1", "true", "yes", "on"}
CORRECTION_LABEL = "correct answer"


def flagging_enabled() -> bool:
    return os.environ.get("DEMO_FLAGGING", "").strip().lower() in ON_VALUES


def flagging_dir() -> Path:
    return Path(os.environ.get("DEMO_FLAGGING_DIR", ROOT / "flagged"))


def flag_controls(task: str, components: list, choices: list[str], js: str | None = None) -> None:
    """Lets a person save the right answer for what is on screen, through Gradio's CSVLogger; only when it is on.
    `js` may fill the inputs in the page (the digit pad hands over its last answer that way)."""
    if not flagging_enabled():
        return
    what = "photo" if task == "rps" else "drawing as the model saw it"
    with gr.Accordion("Wrong? Correct it", open=False, elem_id=f"{task}-flag"):
        gr.Markdown(f"Saving corrections is **on** on this server: the {what}, the prediction and your answer are "
                    "kept to train the next models.")
        with gr.Row():
            correction = gr.Dropdown(choices, value=None, allow_custom_value=True, label=CORRECTION_LABEL,
                                     elem_id=f"{task}-flag-answer")
            save = gr.Button("Save the correction", elem_id=f"{task}-flag-save")
    logger = make_logger(components + [correction], task)

    def save_correction(*values):
        if not values[0] or not values[-1]:
            raise gr.Error("Nothing to save yet: there must be an input and your answer.", print_exception=False)
        with stored_files(values) as stored:
            logger.flag(stored)
        gr.Info("Saved. Thank you!")

    save.click(save_correction, components + [correction], None, js=js, preprocess=False, api_visibility="private")


@contextlib.contextmanager
def stored_files(values):
    """The values with any file payload the page sent as a data URL written to a temporary file (CSVLogger copies
    files by path), removed afterwards."""
    written, stored = [], []
    for value in values:
        if isinstance(value, dict) and not value.get("path") and str(value.get("url", "")).startswith("data:"):
            with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as file:
                file.write(uploaded(value))
            written.append(file.name)
            value = {"path": file.name, "meta": {"_type": "gradio.FileData"}}
        stored.append(value)
    try:
        yield stored
    finally:
        for path in written:
            os.remove(path)


def make_logger(components: list, task: str) -> gr.CSVLogger:
    """A CSVLogger for one tab's (input, prediction, correction) components, writing to flagged/<task>."""
    logger = gr.CSVLogger(verbose=False)
    logger.setup(components, flagging_dir() / task)
    return logger


# ---------------------------------------------------------------- flagged rows -> training folders

def _file_of(cell: str, folder: Path) -> Path | None:
    """The image file a CSV cell names (Gradio writes the copied file's data as JSON), if it exists."""
    if not cell:
        return None
    try:
        value = json.loads(cell)
    except json.JSONDecodeError:
        value = cell
    path = value.get("path") if isinstance(value, dict) else value
    if not path:
        return None
    path = Path(path)
    for candidate in (path, folder / path, folder / path.parent.name / path.name):
        if candidate.is_file():
            return candidate
    return None


def flagged_items(task_dir: Path) -> list[tuple[Path, str]]:
    """(image file, corrected label) of every row in every dataset*.csv of one tab's folder."""
    items = []
    for table in sorted(task_dir.glob("dataset*.csv")):
        with open(table, newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                label = " ".join((row.get(CORRECTION_LABEL) or "").split()).lower()
                image_column = next(iter(row))  # the input image comes first
                image = _file_of(row[image_column], task_dir)
                if label and image is not None:
                    items.append((image, label))
    return items


def export(source: Path, out: Path) -> dict[str, int]:
    """Copy the flagged images into out/<task>/<label>/; return how many per task."""
    counts = {}
    for task_dir in sorted(p for p in source.iterdir() if p.is_dir()) if source.exists() else []:
        items = flagged_items(task_dir)
        for number, (image, label) in enumerate(items):
            target = out / task_dir.name / label.replace("/", "_")
            target.mkdir(parents=True, exist_ok=True)
            if task_dir.name == "digits":  # the page shows the 28 x 28 input enlarged; store it at MNIST size
                from PIL import Image

                Image.open(image).convert("L").resize((28, 28), Image.NEAREST).save(target / f"flagged_{number:05d}.png")
            else:
                shutil.copy2(image, target / f"flagged_{number:05d}{image.suffix or '.png'}")
        counts[task_dir.name] = len(items)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description="Turn flagged corrections into image folders for training.")
    parser.add_argument("--flagged", default=str(flagging_dir()), help="the app's flagging folder")
    parser.add_argument("--out", default=str(ROOT / "runs" / "flagged_data"), help="where the class folders go")
    args = parser.parse_args()
    counts = export(Path(args.flagged), Path(args.out))
    for task, count in counts.items():
        print(f"{task}: {count} corrected items -> {Path(args.out) / task}/<label>/")
    if not counts:
        print(f"nothing flagged in {args.flagged}")
    print("Digits: 28 x 28 images as the model saw them (MNIST format). Rock / paper / scissors: the photos. "
          "Add the folders to the next training run's data (RPS: an imagefolder like ../shared/data/rps/subhih).")


if __name__ == "__main__":
    main()

"""The "How it was made" tab: built from the files the commands write, and every committed figure is shown."""
from __future__ import annotations

import json

from PIL import Image

from benchmarks import figures
from ui import results as report


def test_every_committed_figure_is_on_the_page_with_its_command():
    entries = json.loads(report.INDEX.read_text())
    groups = {entry["group"] for entry in entries}
    assert {"rps", "digits", "curves"} <= groups
    shown = {block.image: block.text for block in report.results_page() if block.image}
    for entry in entries:
        path = report.FIGURES / entry["file"]
        with Image.open(path) as image:
            assert image.format == "PNG" and min(image.size) > 100
        assert str(path) in shown, entry["file"]
        assert "python -m" in shown[str(path)]
    assert len(shown) == len(entries)


def test_tables_come_from_the_results_files_with_the_original_project_beside_ours():
    text = "\n".join(block.text for block in report.results_page() if not block.image)
    rps_table = report.markdown_tables((report.RESULTS / "rps_eval.md").read_text())[0]
    assert rps_table in text and "0.45" in rps_table and "0.70" in rps_table
    assert "python -m rps.evaluate" in text and "python -m benchmarks.drawn_digits" in text
    cnn = json.loads((report.CHECKPOINTS / "mnist_cnn.json").read_text())
    assert f"{cnn['metrics']['mnist_test_accuracy']:.2%}" in text
    assert report.markdown_tables((report.RESULTS / "personal_rps.md").read_text())[0] in text


def test_training_curves_are_drawn_from_a_card_history(tmp_path):
    history = [{"epoch": 1, "train_loss": 0.9, "eval_accuracy": 0.9, "seconds": 1.0},
               {"epoch": 2, "train_loss": 0.4, "eval_accuracy": 0.97, "seconds": 1.0}]
    path = figures.save_training_curves("rps_example", history, tmp_path / "curves.png")
    with Image.open(path) as image:
        assert image.size[0] > 300
    cards = {name: report.card(name) for name in figures.CURVE_MODELS}
    assert all(report.history_of(card) for card in cards.values() if card)


def test_a_missing_results_file_names_the_command_that_makes_it():
    block = report.section_from("no_such_file.md", "python -m benchmarks.nothing", "Something")
    assert "not measured yet" in block.text and "python -m benchmarks.nothing" in block.text


def test_markdown_tables_are_found():
    text = "intro\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nmore\n| c |\n|---|\n"
    assert report.markdown_tables(text) == ["| a | b |\n|---|---|\n| 1 | 2 |", "| c |\n|---|"]

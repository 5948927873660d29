""""Wrong? Correct it": Gradio's CSVLogger writes a row when flagging is on, nothing exists when it is off,
and `python -m ui.flagging` turns the rows into class folders for training.
"""
from __future__ import annotations

import csv
import shutil

import gradio as gr
import numpy as np
import pytest

import app
import ui.digits
import ui.rps
from ui import flagging
from conftest import shared_path

PHOTO = ("rps", "subhih", "scissors", "train__2_pic00339__461_243.jpg")  # shipped model: not sure (rock?)


def save_functions(demo):
    return [block_fn.fn for block_fn in demo.fns.values() if getattr(block_fn.fn, "__name__", "") == "save_correction"]


def uploaded_payload(tmp_path):
    """What the browser sends for an uploaded photo: Gradio's FileData pointing into its upload cache."""
    cached = tmp_path / "upload-cache" / "hand.jpg"
    cached.parent.mkdir()
    shutil.copy(shared_path(*PHOTO), cached)
    return {"path": str(cached), "orig_name": "hand.jpg", "meta": {"_type": "gradio.FileData"}}


def test_off_by_default_no_controls_and_nothing_written(monkeypatch, tmp_path):
    monkeypatch.delenv("DEMO_FLAGGING", raising=False)
    monkeypatch.setenv("DEMO_FLAGGING_DIR", str(tmp_path / "flagged"))
    assert not flagging.flagging_enabled()
    demo = app.build_demo()
    assert save_functions(demo) == []
    assert "Wrong? Correct it" not in str(demo.config)
    ui.rps.classify_rps(uploaded_payload(tmp_path), True, "landmarks")
    assert not (tmp_path / "flagged").exists()


def test_on_a_correction_becomes_a_row_and_then_training_data(monkeypatch, tmp_path):
    monkeypatch.setenv("DEMO_FLAGGING", "1")
    monkeypatch.setenv("DEMO_FLAGGING_DIR", str(tmp_path / "flagged"))
    demo = app.build_demo()
    assert "Saving corrections is **on**" in str(demo.config)
    digits_save, rps_save = save_functions(demo)
    photo = uploaded_payload(tmp_path)
    answer, message, _ = ui.rps.classify_rps(photo, True, "ensemble")
    label = gr.Label().postprocess(answer).model_dump()   # what the page's Label holds and sends back
    rps_save(photo, label, "scissors")

    tables = list((tmp_path / "flagged" / "rps").glob("dataset*.csv"))
    assert len(tables) == 1
    rows = list(csv.DictReader(open(tables[0], newline="", encoding="utf-8")))
    assert len(rows) == 1 and rows[0][flagging.CORRECTION_LABEL] == "scissors"
    assert label["label"] in rows[0]["Gesture"]
    copied = list((tmp_path / "flagged" / "rps").rglob("hand.jpg"))
    assert copied and copied[0].read_bytes() == shared_path(*PHOTO).read_bytes()

    with pytest.raises(gr.Error):   # nothing on screen yet: refused in words, no row
        rps_save(None, None, "rock")
    assert len(list(csv.DictReader(open(tables[0], newline="", encoding="utf-8")))) == 1

    counts = flagging.export(tmp_path / "flagged", tmp_path / "data")
    assert counts == {"rps": 1}
    exported = list((tmp_path / "data" / "rps" / "scissors").iterdir())
    assert len(exported) == 1 and exported[0].read_bytes() == shared_path(*PHOTO).read_bytes()

    # Digits: what the model saw (the page's 224 x 224 picture of the 28 x 28 input) with the right digit.
    from PIL import Image
    from test_app import drawn_one
    probabilities, _, seen = ui.digits.classify_digit({"background": None, "layers": [], "composite": drawn_one(tmp_path)})
    seen_file = tmp_path / "upload-cache" / "seen.png"
    Image.fromarray(seen).save(seen_file)
    digits_save({"path": str(seen_file), "meta": {"_type": "gradio.FileData"}},
                {"label": max(probabilities, key=probabilities.get)}, "7")
    assert flagging.export(tmp_path / "flagged", tmp_path / "data") == {"digits": 1, "rps": 1}
    (digit,) = list((tmp_path / "data" / "digits" / "7").iterdir())
    assert Image.open(digit).size == (28, 28)

    # ... and the next digits training run takes that folder (python -m mnist.train --extra-dir ...).
    from mnist.preprocess import prepare_digit
    from mnist.train import folder_digits
    images, labels = folder_digits(tmp_path / "data" / "digits")
    assert images.shape == (1, 1, 28, 28) and labels.tolist() == [7]
    ink = prepare_digit({"background": None, "layers": [], "composite": drawn_one(tmp_path)}).image
    assert np.corrcoef(images[0, 0].numpy().ravel().astype(float), ink.ravel().astype(float))[0, 1] > 0.9


def test_training_with_an_extra_folder_adds_its_digits(tmp_path):
    from PIL import Image
    from mnist.train import TrainConfig, train
    for label in (3, 8):   # 130 extra images: 6 batches in all (OneCycleLR cannot warm up over exactly 5)
        (tmp_path / "extra" / str(label)).mkdir(parents=True)
        for number in range(65):
            Image.fromarray(np.zeros((28, 28), np.uint8)).save(tmp_path / "extra" / str(label) / f"{number}.png")
    card = train(TrainConfig(model="lenet5", epochs=1, data_dir=str(shared_path("mnist")), dry_run=True,
                             out=str(tmp_path / "never"), threads=1, extra_dir=str(tmp_path / "extra")))
    assert card["data"]["extra"].startswith("130 digits from")

"""The `datasets` loaders (rps.data) on tiny imagefolder and parquet sets written here; no network."""
import numpy as np
from PIL import Image

from rps.data import CLASSES, class_index, load_imagefolder, load_parquet, rgb_arrays


def write_folder(root, names=("Paper", "rock", "scissor")):
    for value, name in enumerate(names):
        (root / name).mkdir(parents=True)
        for index in range(2):
            Image.new("RGB", (20, 16), (value * 80, 100, 50)).save(root / name / f"{index}.png")


def test_imagefolder_labels_follow_our_class_order(tmp_path):
    write_folder(tmp_path)
    dataset = load_imagefolder(tmp_path)
    assert dataset.features["label"].names == CLASSES
    by_colour = {}
    for rgb, label in rgb_arrays(dataset):
        by_colour[int(rgb[0, 0, 0])] = label
    assert by_colour == {0: CLASSES.index("paper"), 80: CLASSES.index("rock"), 160: CLASSES.index("scissors")}


def test_parquet_like_the_hub(tmp_path):
    from datasets import ClassLabel, Dataset, Features, Image as ImageFeature

    images = [Image.new("RGB", (8, 8), (value, 0, 0)) for value in (10, 20, 30)]
    features = Features({"image": ImageFeature(), "labels": ClassLabel(names=["scissors", "rock", "paper"])})
    Dataset.from_dict({"image": images, "labels": [0, 1, 2]}, features=features).to_parquet(tmp_path / "t.parquet")
    dataset = load_parquet(str(tmp_path / "t.parquet"))
    assert dataset["label"] == [2, 0, 1]
    assert np.asarray(dataset[0]["image"])[0, 0, 0] == 10


def test_label_aliases():
    assert [class_index(n) for n in ["Rock", "PAPER", "scissor", "fist", "peace"]] == [0, 1, 2, 0, 2]

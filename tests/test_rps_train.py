"""Training smoke test: landmark cache + a dry run of each model on a tiny copy of the real data."""
import shutil

import numpy as np
import pytest

from conftest import shared_path
from rps.cache import extract
from rps.data import load_imagefolder
from rps.train import TrainConfig, train


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("rps")
    arrays = {}
    for part, source, count in [("train", "drgfreeman", 3), ("val", "subhih", 2)]:
        folder = shared_path("rps", source)
        for label in ["rock", "paper", "scissors"]:
            (root / part / label).mkdir(parents=True)
            for path in sorted((folder / label).glob("*.jpg"))[:count]:
                shutil.copy(path, root / part / label / path.name)
        for name, value in extract(load_imagefolder(root / part)).items():
            arrays[f"{part}/{name}"] = value
    np.savez(root / "cache.npz", **arrays)
    return root / "cache.npz"


@pytest.mark.parametrize("model", ["landmarks", "lenet", "efficientnet_lite0"])
def test_dry_run(tiny_cache, model):
    result = train(TrainConfig(model=model, epochs=1, batch_size=4, dry_run=True, cache=str(tiny_cache),
                               variants=1, threads=1, samples_per_epoch=12))
    assert 0.0 <= result["accuracy"] <= 1.0


@pytest.mark.parametrize("model", ["lenet", "efficientnet_lite0"])
def test_a_real_run_writes_its_caches_to_work_dir_and_a_loadable_checkpoint(tiny_cache, tmp_path, model):
    from common.checkpoint import load_checkpoint
    from rps.model import build_model

    config = TrainConfig(model=model, epochs=1, batch_size=4, cache=str(tiny_cache), variants=1, threads=1,
                         freeze_stages=6, work_dir=str(tmp_path / "work"), out=str(tmp_path / "model"))
    card = train(config)
    cached = sorted(p.name for p in (tmp_path / "work").iterdir())
    assert any(name.startswith("rps_crops_train_masked") for name in cached)
    assert any(name.startswith("rps_crops_val_masked") for name in cached)
    assert (model != "efficientnet_lite0") or any(name.startswith("rps_lite0_trunk6") for name in cached)
    assert load_checkpoint(build_model(model), tmp_path / "model")["metrics"]["subhih_images"] == 6
    assert card["training_seconds"] >= 0


def test_landmarks_learn_from_an_extra_folder_of_corrections(tiny_cache, tmp_path):
    """`--extra-dir runs/flagged_data/rps` (python -m ui.flagging): real photos of rock / paper / scissors join
    the landmarks model's training; a folder of a gesture a visitor named is left out."""
    from rps.train import extra_landmarks
    photos = {"paper": "test__16_pic00032__33_159.jpg"}
    for label, name in photos.items():
        (tmp_path / "extra" / label).mkdir(parents=True)
        shutil.copy(shared_path("rps", "subhih", label, name), tmp_path / "extra" / label / name)
    (tmp_path / "extra" / "thumbs up").mkdir()
    shutil.copy(shared_path("rps", "subhih", "paper", photos["paper"]), tmp_path / "extra" / "thumbs up" / "x.jpg")
    assert [len(group) for group in extra_landmarks(tmp_path / "extra")] == [0, 1, 0]   # rock, paper, scissors
    card = train(TrainConfig(model="landmarks", epochs=1, batch_size=4, dry_run=True, cache=str(tiny_cache),
                             threads=1, samples_per_epoch=12, extra_dir=str(tmp_path / "extra")))
    assert 0.0 <= card["accuracy"] <= 1.0


def test_badly_photographed_copies_give_landmarks_and_the_crops_the_app_makes(tmp_path):
    """`python -m rps.cache --degraded`: every copy of a training hand gives the crop the app's image models would
    see (hand found or not); copies where the app's search finds the hand also give its landmarks (both looks)."""
    from rps.cache import extract_degraded
    from rps.masking import CROP_SIDE

    folder = tmp_path / "train"
    for label in ["rock", "paper", "scissors"]:
        (folder / label).mkdir(parents=True)
        path = sorted(shared_path("rps", "drgfreeman", label).glob("*.jpg"))[0]
        shutil.copy(path, folder / label / path.name)
    result = extract_degraded(load_imagefolder(folder), copies=3, seed=0)
    assert result["crops"].shape == (9, CROP_SIDE, CROP_SIDE, 3) and result["crops"].dtype == np.uint8
    assert sorted(result["crop_labels"].tolist()) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert 0 < len(result["labels"]) <= 18 and result["points"].shape == (len(result["labels"]), 21, 3)
    assert set(result["labels"].tolist()) <= {0, 1, 2}


def test_image_models_learn_from_the_crops_of_badly_photographed_copies(tiny_cache, tmp_path):
    from rps.train import image_sets

    crops = np.full((5, 160, 160, 3), 90, np.uint8)
    np.savez(tmp_path / "degraded.npz", **{"train/crops": crops, "train/crop_labels": np.array([0, 1, 2, 0, 1]),
                                           "train/labels": np.zeros(0, np.int64)})
    from rps.cache import load_cache
    cache = load_cache(tiny_cache)
    base = TrainConfig(model="lenet", variants=1, cache=str(tiny_cache), work_dir=str(tmp_path / "work"))
    plain_set, _ = image_sets(base, cache)
    more_set, _ = image_sets(TrainConfig(**{**base.__dict__, "degraded_cache": str(tmp_path / "degraded.npz")}), cache)
    assert len(more_set) == len(plain_set) + 5
    assert more_set.tensors[1][-5:].tolist() == [0, 1, 2, 0, 1]


def test_crops_that_are_not_hands_are_taught_the_uniform_answer(tiny_cache, tmp_path):
    import torch

    from rps.cache import load_cache
    from rps.train import NOT_A_HAND, image_sets, uniform_for_negatives

    np.savez(tmp_path / "negatives.npz", crops=np.full((4, 160, 160, 3), 90, np.uint8))
    config = TrainConfig(model="lenet", variants=1, cache=str(tiny_cache), work_dir=str(tmp_path / "work"),
                         negatives=str(tmp_path / "negatives.npz"))
    train_set, _ = image_sets(config, load_cache(tiny_cache))
    assert train_set.tensors[1][-4:].tolist() == [NOT_A_HAND] * 4
    _, targets = uniform_for_negatives(torch.zeros(3, 1), torch.tensor([0, NOT_A_HAND, 2]))
    assert np.allclose(targets.numpy(), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0, 0, 1]])


def test_negative_crops_are_masked_like_a_hand_the_app_found():
    import matplotlib

    from common.images import open_image
    from rps.negatives import negative_crops
    from rps.people import GRACE_HOPPER

    rgb = np.asarray(open_image(f"{matplotlib.get_data_path()}/sample_data/{GRACE_HOPPER}").convert("RGB"))
    crops = negative_crops(rgb, 3, np.random.default_rng(0))
    from rps.masking import GREEN
    for crop in crops:
        green = (crop == np.array(GREEN, np.uint8)).all(2)
        assert crop.shape == (160, 160, 3) and 0.2 < green.mean() < 0.95   # photo inside a hand's outline, green around

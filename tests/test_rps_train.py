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

"""The shared training loop and checkpoint I/O (common/): resume, round trip, and refusing bad files."""
import json

import pytest
import torch

from common.checkpoint import load_checkpoint, save_checkpoint
from common.errors import ModelFileError
from common.training import confusion_matrix, fit


def small_problem(seed=0):
    generator = torch.Generator().manual_seed(seed)
    points = torch.randn(256, 2, generator=generator)
    labels = (points[:, 0] + points[:, 1] > 0).long()
    dataset = torch.utils.data.TensorDataset(points, labels)
    return torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=True, generator=generator)


def tiny_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))


def test_fit_learns_a_separable_problem():
    model, loader = tiny_model(), small_problem()
    history = fit(model, loader, loader, torch.optim.Adam(model.parameters(), 0.05), epochs=5, log=lambda _: None)
    assert history[-1].eval_accuracy > 0.95
    assert history[-1].train_loss < history[0].train_loss


def test_interrupted_training_resumes_where_it_stopped(tmp_path):
    state = tmp_path / "run.state"
    model, loader = tiny_model(), small_problem()
    optimizer = torch.optim.AdamW(model.parameters(), 0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, 0.05, total_steps=4 * len(loader))
    fit(model, loader, loader, optimizer, epochs=2, scheduler=scheduler, state_path=state, log=lambda _: None)
    assert json.loads(state.with_suffix(".json").read_text())["next_epoch"] == 3

    resumed = tiny_model()
    optimizer = torch.optim.AdamW(resumed.parameters(), 0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, 0.05, total_steps=4 * len(loader))
    lines = []
    history = fit(resumed, loader, loader, optimizer, epochs=4, scheduler=scheduler, state_path=state, log=lines.append)
    assert lines[0].startswith("resuming at epoch 3")
    assert [h.epoch for h in history] == [1, 2, 3, 4]
    assert scheduler.last_epoch == 4 * len(loader)


def test_final_epochs_use_the_final_transform():
    seen = []

    def tagged(tag):
        def transform(images, labels):
            seen.append(tag)
            return images, labels
        return transform

    model, loader = tiny_model(), small_problem()
    fit(model, loader, loader, torch.optim.Adam(model.parameters(), 0.05), epochs=3, batch_transform=tagged("augment"),
        final_transform=tagged("clean"), final_epochs=1, log=lambda _: None)
    assert seen == ["augment"] * (2 * len(loader)) + ["clean"] * len(loader)


def test_checkpoint_round_trip_and_card(tmp_path):
    model = tiny_model()
    card = save_checkpoint(model, tmp_path / "tiny", {"architecture": "mlp", "classes": ["a", "b"]})
    assert card["weights"]["dtype"] == "float16" and len(card["weights"]["sha256"]) == 64
    restored = tiny_model()
    torch.nn.init.zeros_(restored[0].weight)
    assert load_checkpoint(restored, tmp_path / "tiny")["classes"] == ["a", "b"]
    for original, loaded in zip(model.state_dict().values(), restored.state_dict().values()):
        assert torch.allclose(original, loaded, atol=1e-3)


def test_corrupt_or_missing_weights_are_named_with_the_fix(tmp_path):
    save_checkpoint(tiny_model(), tmp_path / "tiny", {"train_command": "python -m something.train"})
    weights = tmp_path / "tiny.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"tiny\.safetensors is corrupt.*python -m something\.train"):
        load_checkpoint(tiny_model(), tmp_path / "tiny")
    weights.unlink()
    with pytest.raises(ModelFileError, match="missing"):
        load_checkpoint(tiny_model(), tmp_path / "tiny")


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    matrix = confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 1, 2, 2]), 3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]

"""Models, checkpoint round trip, batched augmentation and a short real training run."""
import json

import pytest
import torch

from common.checkpoint import load_checkpoint, save_checkpoint
from common.errors import ModelFileError
from common.training import fit
from conftest import shared_path
from mnist.augment import AugmentConfig, augment_batch, make_batch_transform
from mnist.data import load_mnist_tensors, normalise
from mnist.model import build_model
from mnist.train import TensorBatches, TrainConfig, train


@pytest.fixture
def one_thread():
    """Tiny batches train faster on one thread, and far faster when the CPU is shared with other jobs."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("name", ["cnn", "lenet5"])
def test_models_map_a_batch_of_28x28_images_to_10_logits(name):
    model = build_model(name).eval()
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


def test_unknown_model_name_is_refused():
    with pytest.raises(ValueError, match="lenet5"):
        build_model("resnet")


@pytest.mark.parametrize("name", ["cnn", "lenet5"])
def test_checkpoint_round_trip_gives_the_same_outputs(tmp_path, name):
    torch.manual_seed(0)
    model = build_model(name).eval()
    model(torch.randn(8, 1, 28, 28))   # BatchNorm running stats stay as initialised in eval mode
    card = save_checkpoint(model, tmp_path / f"mnist_{name}", {"architecture": name, "train_command": "x"})
    assert card["weights"]["dtype"] == "float16"
    restored = build_model(name)
    load_checkpoint(restored, tmp_path / f"mnist_{name}")
    inputs = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        torch.testing.assert_close(restored(inputs), model(inputs), atol=2e-2, rtol=1e-2)  # float16 storage
    for key, value in model.state_dict().items():
        torch.testing.assert_close(restored.state_dict()[key].float(), value.half().float())


def test_corrupt_checkpoint_is_refused_with_the_rebuild_command(tmp_path):
    model = build_model("lenet5")
    save_checkpoint(model, tmp_path / "mnist_lenet5", {"train_command": "python -m mnist.train --model lenet5"})
    weights = tmp_path / "mnist_lenet5.safetensors"
    data = bytearray(weights.read_bytes())
    data[-5] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="python -m mnist.train --model lenet5"):
        load_checkpoint(build_model("lenet5"), tmp_path / "mnist_lenet5")


def test_augmentation_keeps_shape_range_and_changes_images():
    torch.manual_seed(0)
    images = torch.zeros(16, 1, 28, 28)
    images[:, :, 6:22, 12:16] = 1.0   # a "1"
    out = augment_batch(images, AugmentConfig(keep_probability=0.0))
    assert out.shape == images.shape and out.min() >= 0 and out.max() <= 1.0 + 1e-6
    changed = (out - images).abs().flatten(1).mean(1)
    assert (changed > 0.01).all()
    # the digit stays in the frame, near where it was (thinning may remove up to ~half of a bar's ink)
    mass = out.flatten(1).sum(1)
    assert (mass > 0.25 * images.flatten(1).sum(1)).all()
    rows = torch.arange(28.0).view(1, 1, 28, 1)
    centre_rows = (out * rows).flatten(1).sum(1) / mass
    assert ((centre_rows - 13.5).abs() < 4).all()


def test_batch_transform_normalises_uint8_batches():
    images = torch.full((2, 1, 28, 28), 255, dtype=torch.uint8)
    out, labels = make_batch_transform("none")(images, torch.tensor([1, 2]))
    torch.testing.assert_close(out, normalise(images))
    assert labels.tolist() == [1, 2]


def test_short_training_on_a_few_hundred_mnist_digits_lowers_the_loss(one_thread):
    data = load_mnist_tensors(shared_path("mnist"), limit=384)
    images, labels = data["train"]
    torch.manual_seed(0)
    model = build_model("lenet5")   # the small one: this test must stay fast on a busy 2-core CPU
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    loader = TensorBatches(images, labels, 32, shuffle=True)
    evaluation = TensorBatches(normalise(data["test"][0]), data["test"][1], 384, shuffle=False)
    history = fit(model, loader, evaluation, optimizer, epochs=5, batch_transform=make_batch_transform("none"),
                  log=lambda _: None)
    assert history[-1].train_loss < 0.6 * history[0].train_loss
    assert history[-1].eval_accuracy > 0.5


def test_training_script_dry_run(tmp_path, one_thread):
    card = train(TrainConfig(model="lenet5", epochs=1, data_dir=str(shared_path("mnist")), dry_run=True,
                             out=str(tmp_path / "never"), threads=1))
    assert card["architecture"] == "lenet5" and not (tmp_path / "never.json").exists()
    assert json.dumps(card)   # the card is plain JSON


def test_seed_average_answers_the_mean_of_its_members_probabilities():
    torch.manual_seed(0)
    members = [build_model("cnn").eval() for _ in range(2)]
    average = build_model("cnn", members=2).eval()
    average.members.load_state_dict(torch.nn.ModuleList(members).state_dict())
    inputs = torch.randn(5, 1, 28, 28)
    with torch.no_grad():
        expected = torch.stack([m(inputs).softmax(1) for m in members]).mean(0)
        torch.testing.assert_close(average(inputs).softmax(1), expected)


def test_mnist_average_repacks_the_shipped_members_into_the_same_checkpoint(tmp_path):
    """Split the shipped cnn into its members, pack them again with `python -m mnist.average`: the new card
    measures the same MNIST accuracy as the shipped one, and the packed weights load and answer alike."""
    from mnist import average
    from mnist.predict import CHECKPOINTS, load_model

    mnist_dir = shared_path("mnist")
    shipped_card = json.loads((CHECKPOINTS / "mnist_cnn.json").read_text())
    shipped = load_model("cnn")
    stems = []
    for k, member in enumerate(shipped.members):
        member_card = {key: shipped_card[key] for key in ("architecture", "classes", "preprocessing", "data")}
        member_card |= {"architecture_description": "one DigitCNN",
                        "metrics": {"mnist_test_accuracy": shipped_card["metrics"]["members_mnist_test_accuracy"][k]},
                        "training": {**shipped_card["training"], "seed": shipped_card["training"]["seeds"][k]},
                        "train_command": shipped_card["member_train_commands"][k]}
        save_checkpoint(member, tmp_path / f"member{k}", member_card)
        stems.append(str(tmp_path / f"member{k}"))
    card = average.main([*stems, "--data-dir", str(mnist_dir), "--out", str(tmp_path / "mnist_cnn")])
    assert card["members"] == 2 and card["member_train_commands"] == shipped_card["member_train_commands"]
    assert card["metrics"]["mnist_test_accuracy"] == shipped_card["metrics"]["mnist_test_accuracy"]
    repacked = build_model("cnn", members=2)
    load_checkpoint(repacked, tmp_path / "mnist_cnn")
    images, _ = load_mnist_tensors(str(mnist_dir), splits=("test",), limit=200)["test"]
    with torch.no_grad():
        torch.testing.assert_close(repacked(normalise(images)), shipped(normalise(images)))


def test_training_dry_run_adds_only_uji2_training_writers_replays(one_thread):
    from mnist.strokes import parse_uji2, uji2_group
    from mnist.train import replayed_pen_digits

    uji2 = shared_path("digits", "uji2", "uji2_digits.jsonl")
    train_digits = parse_uji2(uji2, "train")
    assert {uji2_group(d.writer) for d in train_digits} == {"train"}
    images, labels = replayed_pen_digits(train_digits[::36], variants=2, seed=0, style="mixed", crossed_sevens=1.0)
    assert images.shape == (2 * len(train_digits[::36]), 1, 28, 28) and images.dtype == torch.uint8
    assert labels.tolist() == [d.label for d in train_digits[::36]] * 2
    assert (images.flatten(1).max(1).values > 200).all()   # every replay has ink, white on black
    card = train(TrainConfig(model="lenet5", epochs=1, data_dir=str(shared_path("mnist")), dry_run=True,
                             pen_writers="train", uji2=str(uji2), uji2_variants=1, threads=1))
    assert card["data"]["uji2_digits"].startswith("64 replays") and "validation" in card["data"]["uji2_digits"]

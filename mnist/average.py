"""Pack networks trained alike but for the seed into one averaged checkpoint (mnist.model.SeedAverage).

    # the shipped cnn: two seeds of one recipe (both can train at once, one core each), then pack them
    python -m mnist.train --model cnn --seed 1 --out runs/cnn_seed1/mnist_cnn ... &
    python -m mnist.train --model cnn --seed 2 --out runs/cnn_seed2/mnist_cnn ... &
    wait
    python -m mnist.average runs/cnn_seed1/mnist_cnn runs/cnn_seed2/mnist_cnn --data-dir ../shared/data/mnist

Each member is loaded from its own checkpoint (sha256-checked), the average is measured on the MNIST test
set, and checkpoints/mnist_<architecture> gets one weights file (members.0.*, members.1.*, ...) with a card
that keeps every member's training record and command. Why average: single networks of the shipped recipe
read 99.54-99.58 % of MNIST's test set whatever the seed; two of them, averaged, 99.61 % (README).
"""
from __future__ import annotations

import argparse
import shlex
import sys

import torch

from common.checkpoint import load_checkpoint, read_card, save_checkpoint
from common.training import predict
from mnist.data import load_mnist_tensors, normalise
from mnist.model import SeedAverage, build_model, count_parameters
from mnist.train import TensorBatches, per_class_accuracy


def load_members(stems: list[str]) -> tuple[list[torch.nn.Module], list[dict]]:
    """The member networks and their cards; all must share one architecture."""
    models, cards = [], []
    for stem in stems:
        model = build_model(read_card(stem)["architecture"])
        cards.append(load_checkpoint(model, stem))
        models.append(model)
    if len({card["architecture"] for card in cards}) != 1:
        raise SystemExit(f"members of different architectures: {[card['architecture'] for card in cards]}")
    return models, cards


def averaged_card(model: SeedAverage, cards: list[dict], probs: torch.Tensor, labels: torch.Tensor,
                  arguments: list[str]) -> dict:
    """The card of the average: the members' shared description, the average's MNIST figures, every member's
    training record."""
    first = cards[0]
    accuracy = (probs.argmax(1) == labels).float().mean().item()
    return {
        "architecture": first["architecture"],
        "members": len(cards),
        "architecture_description": f"mean probabilities of {len(cards)} networks trained alike but for the seed, "
                                    f"each: {first['architecture_description']}",
        "parameters": count_parameters(model),
        "classes": first["classes"],
        "preprocessing": first["preprocessing"],
        "metrics": {
            "mnist_test_accuracy": round(accuracy, 5),
            "mnist_test_per_class_accuracy": per_class_accuracy(probs, labels),
            "mnist_test_images": len(labels),
            "members_mnist_test_accuracy": [card["metrics"]["mnist_test_accuracy"] for card in cards],
        },
        "data": first["data"],
        # The first member's record, so tools reading one training history (the report's curves) still can.
        "training": {**first["training"], "seeds": [card["training"]["seed"] for card in cards],
                     "members_wall_time_minutes": [card["training"]["wall_time_minutes"] for card in cards]},
        "member_train_commands": [card["train_command"] for card in cards],
        "train_command": "python -m mnist.average " + " ".join(shlex.quote(a) for a in arguments),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("members", nargs="+", help="checkpoint stems of the members (e.g. runs/cnn_seed1/mnist_cnn)")
    parser.add_argument("--data-dir", default=None, help="folder of MNIST IDX files (default: $MNIST_DIR, else the Hub)")
    parser.add_argument("--out", default=None, help="checkpoint stem (default checkpoints/mnist_<architecture>)")
    args = parser.parse_args(argv)
    if len(args.members) < 2:
        parser.error("give at least two members to average")
    members, cards = load_members(args.members)
    model = SeedAverage(members).eval()
    images, labels = load_mnist_tensors(args.data_dir, splits=("test",))["test"]
    probs, labels = predict(model, TensorBatches(normalise(images), labels, 1000, shuffle=False))
    card = averaged_card(model, cards, probs, labels, sys.argv[1:] if argv is None else argv)
    for stem, card_of_member in zip(args.members, cards):
        print(f"{stem}: MNIST test {card_of_member['metrics']['mnist_test_accuracy']:.2%}")
    print(f"average of {len(members)}: MNIST test {card['metrics']['mnist_test_accuracy']:.2%}")
    out = args.out or f"checkpoints/mnist_{card['architecture']}"
    card = save_checkpoint(model, out, card)
    print(f"wrote {out}.safetensors ({card['weights']['bytes'] / 1e6:.2f} MB) and {out}.json")
    return card


if __name__ == "__main__":
    main()

"""The two digit classifiers: classic LeNet-5 and a small, stronger BatchNorm CNN (the default).

Both take normalised 1 x 28 x 28 images (see mnist.data.normalise) and return 10 logits.
The app's `cnn` is two DigitCNNs trained alike but for the seed, averaged (`SeedAverage`, packed by
`python -m mnist.average`): their mistakes differ, so the mean makes fewer.

    model = build_model("cnn")        # or "lenet5"
    model = build_model("cnn", members=2)   # the shipped, averaged cnn
    python -m mnist.model             # prints parameter counts and CPU latency of both
"""
from __future__ import annotations

import argparse
import time

import torch
from torch import nn


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al. 1998) on 28x28 input: padding 2 on the first conv stands in for the 32x32 frame.

    Kept to the original layout (6-16 conv channels, 120-84 dense); ReLU and max-pooling replace the
    scaled tanh and trainable subsampling, as most re-implementations do.
    """

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # 6 x 14 x 14
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),             # 16 x 5 x 5
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def conv_bn_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    # No conv bias: BatchNorm's shift does that job.
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class DigitCNN(nn.Module):
    """conv-BN-ReLU blocks 16-16 | 32-32 | 64-64 with max-pooling and dropout, global average pool, linear.

    Sized for a 2-core CPU: ~5.5 M multiply-adds per image, so an epoch of 60k images trains in minutes
    and one drawing is classified in ~1-3 ms. Twice the width gains little on MNIST and costs 3-4x.
    """

    def __init__(self, num_classes: int = 10, dropout: float = 0.2):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn_relu(1, 16), conv_bn_relu(16, 16), nn.MaxPool2d(2), nn.Dropout(dropout / 2),   # 16 x 14 x 14
            conv_bn_relu(16, 32), conv_bn_relu(32, 32), nn.MaxPool2d(2), nn.Dropout(dropout / 2),  # 32 x 7 x 7
            conv_bn_relu(32, 64), conv_bn_relu(64, 64),                                             # 64 x 7 x 7
        )
        self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout),
                                        nn.Linear(64, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


class SeedAverage(nn.Module):
    """The mean answer of several networks of one architecture trained with different seeds.

    `forward` returns the log of the members' mean probabilities, so callers treat it like any model's
    logits: softmax gives the averaged probabilities, argmax the averaged answer.
    """

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        probabilities = torch.stack([member(x).softmax(dim=1) for member in self.members]).mean(0)
        return probabilities.clamp_min(1e-12).log()


MODELS = {"cnn": DigitCNN, "lenet5": LeNet5}


def build_model(name: str, members: int = 1) -> nn.Module:
    """A fresh network `name`, or a SeedAverage of `members` of them (the layout of a checkpoint packed by
    `python -m mnist.average`; its card says how many)."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
    if members > 1:
        return SeedAverage([MODELS[name]() for _ in range(members)])
    return MODELS[name]()


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=128, help="batch size for the training-speed measurement")
    args = parser.parse_args()
    torch.set_num_threads(2)
    for name in MODELS:
        model = build_model(name)
        model.eval()
        with torch.inference_mode():
            one = torch.zeros(1, 1, 28, 28)
            model(one)
            began = time.perf_counter()
            for _ in range(50):
                model(one)
            latency = (time.perf_counter() - began) / 50 * 1000
        model.train()
        batch = torch.randn(args.batch_size, 1, 28, 28)
        labels = torch.randint(0, 10, (args.batch_size,))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        began = time.perf_counter()
        for _ in range(5):
            loss = nn.functional.cross_entropy(model(batch), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        per_sample = (time.perf_counter() - began) / (5 * args.batch_size)
        print(f"{name}: {count_parameters(model):,} parameters, {latency:.2f} ms per image (eval), "
              f"train ~{per_sample * 60000:.0f} s per 60k-image epoch")


if __name__ == "__main__":
    main()

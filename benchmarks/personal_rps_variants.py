"""Readers tried for "teach it your hand" and not shipped, on benchmarks/personal_rps.py's people and draws.

    python -m benchmarks.personal_rps_variants last-layer       # a linear layer on the embedding, fitted to the
                                                                # taught examples with the shipped answer as offset
    python -m benchmarks.personal_rps_variants member-weights   # the taught examples choose how much the landmarks
                                                                # model and EfficientNet-Lite0 count
    python -m benchmarks.personal_rps_variants landmarks-only   # what a live-camera reader would have: landmark
                                                                # distances and the landmarks model only

Each prints the per-person table of `python -m benchmarks.personal_rps` (k = 1, 3, 5; `--draws 10 --seed 0`) for
the variant. The first two act only where the shipped reader lets the nearer examples decide, once the shipped model
misread a taught example. Why each was tried, its rule and its result: docs/rps_real_people.md (sections of
2026-12-03). Needs the people cache (`python -m rps.people cache`) and reads the member answers rps.evaluate_people
keeps in runs/.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import personal_rps as bench  # noqa: E402
from rps import personal  # noqa: E402
from rps.cache import load_cache  # noqa: E402
from rps.data import CLASSES  # noqa: E402
from rps.evaluate_people import as_searched_now, member_answer  # noqa: E402
from rps.people import PEOPLE_CACHE  # noqa: E402
from rps.predict import calibrated  # noqa: E402

WEIGHTS = (0.5, 0.0, 0.25, 0.75, 1.0)   # the landmarks model's share; the shipped 0.5 first, so it wins ties
SHIPPED_MARGIN = personal.MARGIN         # before --margin replaces it for the run


@dataclass
class Features(personal.HandFeatures):
    """A photo's reader features plus what the variants need: the shipped answer and each member's answer."""
    shipped: dict | None = None
    members: tuple | None = None        # (landmarks model, EfficientNet-Lite0), uncalibrated
    hide: int | None = None


def features(data, index: int, hide: int | None = None) -> Features:
    return Features(**vars(bench.features_at(data, index, hide)), shipped=bench.shipped_of(data, index, hide),
                    members=(data["landmarks_model"][index], data["image_model"][index]), hide=hide)


def prior_logits(shipped: dict, names: list[str]) -> np.ndarray:
    """The reader's own score of the shipped answer, log(p + FLOOR), as the offset the variants start from."""
    return np.log(np.array([shipped.get(name, 0.0) for name in names]) + personal.FLOOR)


class LastLayerReader(personal.PersonalReader):
    """Where the nearer examples would decide: a linear correction on the embedding, fitted to the taught examples
    on top of the shipped answer (multinomial logistic regression with an offset, L2 as scikit-learn's C = 1)."""

    def read(self, features: Features, shipped: dict[str, float]):
        probabilities, how = super().read(features, shipped)
        if not self.misread_examples():
            return probabilities, how
        names = list(probabilities)
        weights, bias = self.fitted(names)
        logits = prior_logits(shipped, names) + weights @ features.embedding + bias
        exp = np.exp(logits - logits.max())
        return dict(zip(names, (exp / exp.sum()).tolist())), how

    def fitted(self, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
        import torch

        key = (len(self.examples), tuple(names))
        if getattr(self, "_key", None) != key:
            x = torch.tensor(np.stack([e.embedding for e in self.examples]), dtype=torch.float64)
            offset = torch.tensor(np.stack([prior_logits(e.shipped, names) for e in self.examples]))
            y = torch.tensor([names.index(label) for label in self.labels])
            weights = torch.zeros(len(names), x.shape[1], dtype=torch.float64, requires_grad=True)
            bias = torch.zeros(len(names), dtype=torch.float64, requires_grad=True)
            optimizer = torch.optim.LBFGS([weights, bias], max_iter=200, line_search_fn="strong_wolfe")

            def loss():
                optimizer.zero_grad()
                value = 0.5 * (weights ** 2).sum() + torch.nn.functional.cross_entropy(
                    offset + x @ weights.T + bias, y, reduction="sum")
                value.backward()
                return value

            optimizer.step(loss)
            self._key, self._fit = key, (weights.detach().numpy(), bias.detach().numpy())
        return self._fit


def weighted_answer(features: Features, weight: float) -> np.ndarray:
    """The ensemble's calibrated answer with the landmarks model counting `weight` (shipped: 0.5)."""
    landmarks, image = features.members
    probabilities = calibrated("ensemble", (weight * landmarks + (1 - weight) * image)[None])[0]
    if features.hide is not None:
        probabilities[features.hide] = 0.0
        probabilities /= probabilities.sum()
    return probabilities


class MemberWeightReader(personal.PersonalReader):
    """Where the nearer examples would decide: the members re-weighted by the likelihood of the taught examples."""
    chosen: list[float] = []   # the weight each taught reader chose, for the report

    def read(self, features: Features, shipped: dict[str, float]):
        if self.misread_examples():
            shipped = dict(zip(CLASSES, weighted_answer(features, self.weight()).tolist()))
        return super().read(features, shipped)

    def weight(self) -> float:
        if getattr(self, "_key", None) != len(self.examples):
            taught = [(CLASSES.index(label), e) for label, e in zip(self.labels, self.examples) if label in CLASSES]
            likelihood = [sum(np.log(weighted_answer(e, w)[c] + 1e-9) for c, e in taught) for w in WEIGHTS]
            self._key, self._weight = len(self.examples), WEIGHTS[int(np.argmax(likelihood))]
            self.chosen.append(self._weight)
        return self._weight


def with_member_answers(data: dict) -> dict:
    """Add each photo's landmarks-model and EfficientNet-Lite0 answers (as rps.evaluate_people caches them)."""
    hands = as_searched_now(load_cache(PEOPLE_CACHE)["hands"])
    found = hands["found"]
    data["landmarks_model"] = member_answer("landmarks", hands)[found]
    data["image_model"] = member_answer("efficientnet_lite0", hands)[found]
    # The features cache holds the shipped answers: the members must give them back at the shipped weight.
    assert np.allclose(calibrated("ensemble", (data["landmarks_model"] + data["image_model"]) / 2), data["shipped"])
    return data


def landmarks_only(data: dict) -> dict:
    """The live camera's view of the same photos: the landmarks model's answer, no picture to compare."""
    data["shipped"] = calibrated("landmarks", data["landmarks_model"])
    data["embedding"] = np.zeros_like(data["embedding"])
    personal.LANDMARK_WEIGHT = 1.0   # distances from the landmarks alone (this process only)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("variant", choices=["last-layer", "member-weights", "landmarks-only"])
    parser.add_argument("--draws", type=int, default=10, help="random choices of taught photos per person and k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--margin", type=float, default=SHIPPED_MARGIN, help="the reader's MARGIN for this run")
    args = parser.parse_args()
    personal.MARGIN = args.margin
    data = with_member_answers(bench.load_features(PEOPLE_CACHE, refresh=False))
    people = bench.usable_people(data)
    reader = {"features": features}
    if args.variant == "last-layer":
        reader["reader_class"] = LastLayerReader
    elif args.variant == "member-weights":
        reader["reader_class"] = MemberWeightReader
    else:
        data = landmarks_only(data)
        evidence = bench.margin_evidence(data, people, args.draws, args.seed)
        print(f"landmark distances alone, train and tune people: the nearest examples were of a wrong gesture "
              f"{evidence['wrong']} times in {evidence['reads']} reads; MARGIN by the reader's rule would be "
              f"{1 / evidence['right_q05']:.2f} (shipped {SHIPPED_MARGIN}, this run {personal.MARGIN})")
    rows = bench.per_person(data, people, args.draws, args.seed, **reader)
    print("\n".join(bench.summary_lines(rows) + [""] + bench.person_lines(rows)))
    if MemberWeightReader.chosen:
        print("the landmarks model's weight, where the branch fired:",
              {w: MemberWeightReader.chosen.count(w) for w in sorted(WEIGHTS)})


if __name__ == "__main__":
    main()

"""Accuracy of every rock/paper/scissors model and training regime on the real-room photos (SubhiH).

    python -m rps.evaluate              # table on stdout + benchmarks/results/rps_eval.md + artifacts/*.png
    python -m rps.evaluate --limit 60   # quick look

Rows: models. Columns: training regime (see rps.train): "plain" (green-screen photos as they are), "+ background
compositing" (the hand on made-up rooms, any pose), "+ masking at test time" (landmark mask + upright crop,
the app's default path). Ablation checkpoints live in runs/ (git-ignored); shipped ones in checkpoints/.
Landmarks come from the cache of `python -m rps.cache` (the same MediaPipe call the app makes).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from common.checkpoint import load_checkpoint
from common.plots import save_confusion_matrix
from common.training import confusion_matrix
from rps.cache import DEFAULT_CACHE, load_cache
from rps.data import CLASSES
from rps.landmarks import l_scissors, landmark_features, normalise_landmarks
from rps.model import build_model, image_batch
from rps.train import TrainConfig, validation_crops

ROOT = Path(__file__).resolve().parents[1]
REGIME_COLUMNS = {"plain": "plain", "composite": "+ background compositing", "masked": "+ masking at test time"}


def checkpoint_stem(model: str, regime: str) -> Path:
    if regime == "masked":
        return ROOT / "checkpoints" / f"rps_{model}"
    return ROOT / "runs" / f"rps_{model}_{regime}"


@torch.no_grad()
def image_model_probs(model_name: str, regime: str, crops: list[np.ndarray]) -> np.ndarray | None:
    stem = checkpoint_stem(model_name, regime)
    if not stem.with_suffix(".json").exists():
        return None
    model = build_model(model_name)
    card = load_checkpoint(model, stem)
    out = []
    for start in range(0, len(crops), 64):
        out.append(torch.softmax(model(image_batch(crops[start:start + 64], card["preprocessing"])), 1))
    return torch.cat(out).numpy()


@torch.no_grad()
def landmark_probs(points: np.ndarray, found: np.ndarray) -> np.ndarray | None:
    """Probabilities where a hand was found, NaN rows elsewhere."""
    stem = checkpoint_stem("landmarks", "masked")
    if not stem.with_suffix(".json").exists():
        return None
    model = build_model("landmarks")
    load_checkpoint(model, stem)
    probs = np.full((len(points), 3), np.nan, np.float32)
    index = np.flatnonzero(found)
    if len(index):
        features = torch.from_numpy(np.stack([landmark_features(points[i]) for i in index]))
        probs[index] = torch.softmax(model(features), 1).numpy()
    return probs


@torch.no_grad()
def synthetic_l_check(points: np.ndarray, found: np.ndarray, labels: np.ndarray, count: int = 300) -> str:
    """SubhiH has no "L" scissors (thumb + index); build them from SubhiH's own open hands and fists
    (never trained on) and see whether the landmarks model calls them scissors."""
    stem = checkpoint_stem("landmarks", "masked")
    paper = [normalise_landmarks(p) for p, f, y in zip(points, found, labels) if f and y == 1]
    rock = [normalise_landmarks(p) for p, f, y in zip(points, found, labels) if f and y == 0]
    if not stem.with_suffix(".json").exists() or not paper or not rock:
        return ""
    model = build_model("landmarks")
    load_checkpoint(model, stem)
    rng = np.random.default_rng(0)
    samples = [l_scissors(paper[rng.integers(len(paper))], rock[rng.integers(len(rock))]) for _ in range(count)]
    probs = torch.softmax(model(torch.from_numpy(np.stack([landmark_features(s) for s in samples]))), 1).numpy()
    share = float((probs.argmax(1) == CLASSES.index("scissors")).mean())
    return (f"Synthetic \"L\" scissors made from SubhiH landmarks (thumb + index of an open hand on a fist, "
            f"{count} samples): landmarks model says scissors for {share:.3f}.")


# How every number in the table was made; written under it so the results file says how to remake itself.
COMMANDS = """Commands (seed 0; "plain"/"composite" are ablations written to runs/, not shipped):
```
python -m rps.cache
python -m rps.people fetch && python -m rps.people cache
python -m rps.train --model landmarks --epochs 10 --lr 0.003 --batch-size 128 --threads 1 --people-cache runs/rps_people.npz
python -m rps.train --model lenet --epochs 6 --lr 0.003 --batch-size 64 --threads 1            # masked, shipped
python -m rps.train --model efficientnet_lite0 --epochs 4 --lr 0.002 --batch-size 64 --freeze-stages 6 --threads 1 --people-cache runs/rps_people.npz   # shipped
python -m rps.train --model lenet --regime plain --epochs 4 --variants 2 --threads 1
python -m rps.train --model lenet --regime composite --epochs 4 --variants 2 --threads 1
python -m rps.train --model efficientnet_lite0 --regime plain --epochs 2 --variants 2 --freeze-stages 6 --lr 2e-3 --threads 1
python -m rps.train --model efficientnet_lite0 --regime composite --epochs 2 --variants 2 --freeze-stages 6 --lr 2e-3 --threads 1
python -m rps.evaluate
```
The ablations ran with fewer epochs (2-4) than the shipped models."""


def accuracy(probs: np.ndarray, labels: np.ndarray) -> float:
    return float((probs.argmax(1) == labels).mean())


def per_class(probs: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    predicted = probs.argmax(1)
    return {name: float((predicted[labels == c] == c).mean()) for c, name in enumerate(CLASSES)}


def evaluate(limit: int | None = None, cache_path: str = str(DEFAULT_CACHE), write: bool = True) -> str:
    landmark_cache = load_cache(cache_path)
    val = landmark_cache["val"]
    count = len(val["labels"]) if limit is None else min(limit, len(val["labels"]))
    labels = val["labels"][:count]
    found = val["found"][:count]
    points = val["points"][:count]
    holdout = np.array(["/test__" in str(p) for p in val["paths"][:count]])
    cache = {"val": val}
    views = {view: list(validation_crops(TrainConfig(regime=view, limit=limit), cache)[0]) for view in ["plain", "masked"]}

    results: dict[tuple[str, str], np.ndarray] = {}
    for model_name in ["lenet", "efficientnet_lite0"]:
        for regime in REGIME_COLUMNS:
            probs = image_model_probs(model_name, regime, views["masked" if regime == "masked" else "plain"])
            if probs is not None:
                results[(model_name, regime)] = probs
    lm = landmark_probs(points, found)
    fallback = results.get(("efficientnet_lite0", "masked"))
    if lm is not None and fallback is not None:
        # As in the app: where MediaPipe found no hand, the image model answers.
        results[("landmarks", "masked")] = np.where(np.isnan(lm), fallback, lm)
        both = np.where(np.isnan(lm), fallback, (lm + fallback) / 2)
        results[("ensemble", "masked")] = both

    lines = [f"# Rock / paper / scissors on real rooms (SubhiH, {count} photos, "
             f"{holdout.sum()} of them in its 'test' split)", "",
             "Accuracy. Training data: drgfreeman green-screen hands only. Columns: training regime.", "",
             "| model | " + " | ".join(REGIME_COLUMNS.values()) + " | holdout (test split), masked |",
             "|---|" + "---|" * (len(REGIME_COLUMNS) + 1)]
    rows = ["lenet", "efficientnet_lite0", "landmarks", "ensemble"]
    for row in rows:
        cells = []
        for regime in REGIME_COLUMNS:
            probs = results.get((row, regime))
            cells.append(f"{accuracy(probs, labels):.3f}" if probs is not None else "—")
        probs = results.get((row, "masked"))
        cells.append(f"{accuracy(probs[holdout], labels[holdout]):.3f}" if probs is not None and holdout.any() else "—")
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    lines += ["| original project: LeNet | 0.45 | | | |", "| original project: VGG16 (pretrained) | 0.70 | | | |", ""]
    lines += [f"MediaPipe found a hand in {found.sum()}/{count} photos; elsewhere the landmarks model defers to "
              "EfficientNet-Lite0 (masked, skin-colour or whole-image fallback).", "",
              "Per-class accuracy (masked regime):", "", "| model | " + " | ".join(CLASSES) + " |",
              "|---|---|---|---|"]
    for row in rows:
        probs = results.get((row, "masked"))
        if probs is None:
            continue
        pc = per_class(probs, labels)
        lines.append(f"| {row} | " + " | ".join(f"{pc[c]:.3f}" for c in CLASSES) + " |")
        if write:
            matrix = confusion_matrix(torch.as_tensor(probs.argmax(1)), torch.as_tensor(labels), len(CLASSES))
            save_confusion_matrix(matrix, CLASSES, ROOT / "artifacts" / f"rps_confusion_{row}.png",
                                  title=f"{row}, masked, SubhiH")
    lines += ["", synthetic_l_check(points, found, labels), "", COMMANDS]
    text = "\n".join(lines) + "\n"
    if write:
        out = ROOT / "benchmarks" / "results" / "rps_eval.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    return text


def hard_tables(write: bool = True) -> str:
    """Accuracy per model on the plain SubhiH photos and on every hard family (rps.hard), the no-hand row,
    and what each retry step of the hand search finds and costs."""
    from rps.calibrate import SETS, read_right
    from rps.hard import FAMILIES, NO_HAND, PLAIN, family_with_search, read_all
    from rps.hands import RETRY_STEPS
    from rps.predict import MODEL_CHOICES

    readings = read_all()
    sizes = {name: len(readings[name].labels) for name in SETS + [NO_HAND]}
    lines = ["# Rock / paper / scissors on the hard families", "",
             "Made from SubhiH by `rps.hard` (the shipped real-hands models train on SubhiH's training sessions, "
             "rps.people: for people never seen see rps_people.md); the app's own path (hand search with retries, "
             "masking, models, calibrated \"not sure\"). A hand picture judged \"no hand\" counts as "
             "wrong. \"no hand\" row: share of the pictures without a hand that get a gesture (lower is better).", "",
             "| model | " + " | ".join(f"{name} ({sizes[name]})" for name in SETS) + f" | no hand ({sizes[NO_HAND]}): named |",
             "|---|" + "---|" * (len(SETS) + 1)]
    for model_name in MODEL_CHOICES:
        cells = []
        for name in SETS:
            cells.append(f"{read_right(model_name, readings[name]).mean():.3f}")
        no_hand = readings[NO_HAND]
        lines.append(f"| {model_name} | " + " | ".join(cells) + f" | {no_hand.found.mean():.3f} |")
    lines += ["", "Hand search (`rps.hands.find_hands_twice`): pictures where each step found the hand (a retry runs "
              "only when all before it found nothing; the second look, at a smoothed copy, runs only when a hand was "
              "found, so its own column stays 0), "
              "pictures where both looks found it (the landmarks model then "
              "averages its two answers), pictures where the second look did not confirm the hand and a bigger "
              "hand was found around it (`rps.hands.bigger_hand_around`: a finger taken for a hand), and the "
              "median time of a whole search.", "",
              "| family | first look | " + " | ".join(step.name for step in RETRY_STEPS) + " | second look only | none | "
              "both looks | bigger hand | median ms | median ms, no hand found |",
              "|---|" + "---|" * (len(RETRY_STEPS) + 7)]
    steps = ["first look", *[step.name for step in RETRY_STEPS], "second look", ""]
    for name in [PLAIN] + FAMILIES + [NO_HAND]:
        _, search = family_with_search(name)
        counts = [int((search["step"] == step).sum()) for step in steps]
        both = int((~np.isnan(search["second_look"]).any((1, 2))).sum())
        missed = ~search["found"]
        slow = f"{np.median(search['seconds'][missed]) * 1000:.0f}" if missed.any() else "—"
        bigger = int((search["bigger"] != "").sum())
        lines.append(f"| {name} | " + " | ".join(map(str, counts)) + f" | {both} | {bigger} | "
                     f"{np.median(search['seconds']) * 1000:.0f} | {slow} |")
    lines += ["", "Commands: `python -m rps.hard` (MediaPipe on the families, cached in runs/), "
              "`python -m rps.calibrate`, `python -m rps.evaluate`."]
    text = "\n".join(lines) + "\n"
    if write:
        (ROOT / "benchmarks" / "results" / "rps_hard.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description="Evaluate the RPS models on the SubhiH real-room photos.")
    parser.add_argument("--limit", type=int, default=None, help="only the first N photos")
    parser.add_argument("--cache", default=str(DEFAULT_CACHE), help="landmark cache (python -m rps.cache)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    print(evaluate(args.limit, args.cache, write=not args.no_write))
    if args.limit is None:
        print(hard_tables(write=not args.no_write))


if __name__ == "__main__":
    main()

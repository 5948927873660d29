"""Calibrated confidence, "not sure" and "no hand": fit on validation pictures, write checkpoints/rps_calibration.json.

    python -m rps.calibrate                  # fit + benchmarks/results/rps_calibration.md
    python -m rps.calibrate --min-coverage 0.97

What is fitted, and on what (all of it SubhiH-derived; SubhiH is never trained on):
  - a temperature per model (softmax(log p / T)) minimising the log-loss on the SubhiH photos of its own
    "train" split, plain and in every hard family (rps.hard);
  - the "not sure" threshold per model: the highest calibrated confidence below which the page says "not
    sure" while still answering at least `--min-coverage` of those pictures;
Every figure in the results file is then reported on the other pictures: SubhiH's "test" split.
"No hand" is not fitted here: it is the hand search's answer (rps.hands; its last step, rps.landmark_net, says
whether a hand is there at MediaPipe's own default threshold). The page reports how often it is right.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from rps.hard import FAMILIES, NO_HAND, PLAIN, FamilyReading, checkpoints_digest, read_all
from rps.predict import CHECKPOINTS, MODEL_CHOICES, calibrated, combine

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = [0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
SETS = [PLAIN] + FAMILIES


def model_answer(model_name: str, reading: FamilyReading) -> np.ndarray:
    """The uncalibrated N x 3 answer of a model on a family (the app's combination rule)."""
    l_shape = reading.l_shape if model_name == "ensemble" else np.zeros(len(reading.labels), bool)
    return combine(model_name, reading.member_probs, l_shape)


def fit_temperature(probs: np.ndarray, labels: np.ndarray) -> float:
    log_p = torch.from_numpy(np.log(np.clip(probs, 1e-7, 1.0))).double()
    target = torch.from_numpy(labels).long()
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_t], max_iter=100, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(log_p / log_t.exp(), target)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.detach().exp())


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def pooled(readings: dict[str, FamilyReading], model_name: str, split: bool, sets=SETS):
    """(uncalibrated probs, labels) of the hand pictures of `sets`, fit split (True) or report split (False)."""
    probs, labels = [], []
    for name in sets:
        reading = readings[name]
        keep = reading.fit_split == split
        probs.append(model_answer(model_name, reading)[keep])
        labels.append(reading.labels[keep])
    return np.concatenate(probs), np.concatenate(labels)


def choose_not_sure(confidence: np.ndarray, min_coverage: float) -> float:
    """The highest threshold (of a fine grid) that still answers `min_coverage` of the pictures."""
    grid = np.round(np.arange(0.34, 0.99, 0.01), 2)
    ok = [t for t in grid if (confidence >= t).mean() >= min_coverage]
    return float(max(ok)) if ok else 0.0


def no_hand_named(reading: FamilyReading, split: bool | None = None) -> float:
    """The share of the no-hand pictures (of one split, or all) that the hand search finds a "hand" in, so the app
    names a gesture."""
    keep = np.ones(len(reading.labels), bool) if split is None else reading.fit_split == split
    return float(reading.found[keep].mean())


def read_right(model_name: str, reading: FamilyReading) -> np.ndarray:
    """Which hand pictures the app reads right: a hand is found and the gesture is right (no hand counts as wrong)."""
    return reading.found & (model_answer(model_name, reading).argmax(1) == reading.labels)


def no_hand_kinds() -> np.ndarray:
    """What each no-hand picture is (blank, noise, procedural room, hand inpainted, hand-free strip)."""
    from rps.hard import build

    sources = build(NO_HAND).sources
    return np.array([s.split(": ", 1)[1].split(" (")[0] for s in sources])


def fit(readings: dict[str, FamilyReading], min_coverage: float, kinds: np.ndarray | None = None) -> tuple[dict, str]:
    """(the calibration card, the results page) from every set's readings; `kinds` (`no_hand_kinds`) adds the
    no-hand pictures by kind."""
    models, lines = {}, []
    lines += ["# Calibrated confidence, \"not sure\" and \"no hand\"", "",
              "Fitted on the pictures made from SubhiH's **train** split (plain photos + every hard family of "
              "`rps.hard`); every figure below is on the pictures made from its **test** split, never used "
              "for fitting.", ""]
    report_rows = []
    for model_name in MODEL_CHOICES:
        fit_probs, fit_labels = pooled(readings, model_name, True)
        temperature = fit_temperature(fit_probs, fit_labels)
        fit_conf = calibrated(model_name, fit_probs, temperature).max(1)
        threshold = choose_not_sure(fit_conf, min_coverage)
        models[model_name] = {"temperature": round(temperature, 4), "not_sure_below": threshold}
        test_probs, test_labels = pooled(readings, model_name, False)
        raw_conf = test_probs.max(1)
        calibrated_probs = calibrated(model_name, test_probs, temperature)
        conf, correct = calibrated_probs.max(1), calibrated_probs.argmax(1) == test_labels
        report_rows.append((model_name, temperature, threshold,
                            expected_calibration_error(raw_conf, test_probs.argmax(1) == test_labels),
                            expected_calibration_error(conf, correct), conf, correct))
    lines += ["| model | temperature | ECE before | ECE after | \"not sure\" below |", "|---|---|---|---|---|"]
    for name, temperature, threshold, ece_before, ece_after, _, _ in report_rows:
        lines.append(f"| {name} | {temperature:.2f} | {ece_before:.3f} | {ece_after:.3f} | {threshold:.2f} |")
    lines += ["", "Accuracy against coverage (test split, plain photos + hard families pooled): at each "
              "threshold, the share of pictures that get an answer and the accuracy of those answers.", "",
              "| model | " + " | ".join(f"≥ {t:.2f}" for t in THRESHOLDS) + " |", "|---|" + "---|" * len(THRESHOLDS)]
    for name, _, threshold, _, _, conf, correct in report_rows:
        cells = []
        for t in THRESHOLDS:
            sure = conf >= t
            cells.append(f"{sure.mean():.3f} / {correct[sure].mean():.3f}" if sure.any() else "0 / —")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Cells: coverage / accuracy of the answered. The chosen threshold per model is the highest that "
              f"still answers {min_coverage:.0%} of the fitting pictures.", ""]

    lines += ["\"No hand\" (not fitted: the hand search finds no hand; rps.hands, rps.landmark_net): no-hand "
              f"pictures named as a gesture: **{no_hand_named(readings[NO_HAND], split=False):.3f}** of the test half, "
              f"{no_hand_named(readings[NO_HAND]):.3f} of all {len(readings[NO_HAND].labels)}.", ""]
    if kinds is not None and len(kinds) == len(readings[NO_HAND].labels):
        named_each = readings[NO_HAND].found
        lines += ["| no-hand pictures (all) | count | named as a gesture |", "|---|---|---|"]
        for kind in sorted(set(kinds)):
            inside = kinds == kind
            lines.append(f"| {kind} | {inside.sum()} | {named_each[inside].mean():.3f} |")
        lines.append("")
    lines += ["| set (test split) | pictures | hand found (answered) | read right by the ensemble |", "|---|---|---|---|"]
    for name in SETS:
        reading = readings[name]
        keep = ~reading.fit_split
        lines.append(f"| {name} | {keep.sum()} | {reading.found[keep].mean():.3f} | "
                     f"{read_right('ensemble', reading)[keep].mean():.3f} |")
    card = {"what": "temperature and 'not sure' threshold per model (rps.predict reads this file)",
            "models": models,
            "fitted_on": "pictures made from SubhiH's train split: plain photos and every rps.hard family",
            "min_coverage": min_coverage, "checkpoints": checkpoints_digest(),
            "command": f"python -m rps.calibrate --min-coverage {min_coverage:g}"}
    lines += ["", f"Command: `{card['command']}`"]
    return card, "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Fit temperatures and thresholds (see the module docstring).")
    parser.add_argument("--min-coverage", type=float, default=0.97)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    readings = read_all()
    card, text = fit(readings, args.min_coverage, no_hand_kinds())
    (CHECKPOINTS / "rps_calibration.json").write_text(json.dumps(card, indent=2) + "\n")
    out = ROOT / "benchmarks" / "results" / "rps_calibration.md"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

"""Calibrated confidence, "not sure" and "no hand": fit on real people's photos, write checkpoints/rps_calibration.json.

    python -m rps.calibrate                  # the shipped fit -> benchmarks/results/rps_calibration.md
    python -m rps.calibrate --on hard        # the fit on SubhiH's hard families, shipped before issue 20

On real people (`--on people`, the default; `python -m rps.people cache` first, and the families of
`python -m rps.people_families`, which it builds when they are missing): per model, a temperature
(softmax(log p / T)) minimising the log-loss, and the lowest "not sure" threshold at which a shown gesture is
wrong at most `--max-risk` of the time for the mean person (issue 20's goal), both on the **tune** people's photos
with a hand found, as they are and cut, seen too close, blurred, dim, heavily compressed, turned and at 224 px.
`--max-no-hand-named 0.02` also asks the threshold to leave at most 2 % of the tune photos without a hand (the
sample photos of rps.people) named a gesture. Tried, not shipped: it costs the webcam validation person 2 points
(docs/rps_real_people.md).
Coverage and risk are reported per person on the never-tuned **validation** people. Why the families: the tune
people's own photos are read right (the models trained on people like them), so alone they fit no temperature
and no threshold; their hard photos go wrong the way webcam frames do.

On the hard families (`--on hard`; all of it SubhiH-derived):
  - a temperature per model minimising the log-loss on the SubhiH photos of its own "train" split, plain and in
    every hard family (rps.hard);
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
from rps import predict
from rps.predict import MODEL_CHOICES, calibrated, combine, use_checkpoints

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = [0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
SETS = [PLAIN] + FAMILIES


def model_answer(model_name: str, reading: FamilyReading) -> np.ndarray:
    """The uncalibrated N x 3 answer of a model on a family (the app's combination rule)."""
    return combine(model_name, reading.member_probs)


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
            "command": f"python -m rps.calibrate --on hard --min-coverage {min_coverage:g}"}
    lines += ["", f"Command: `{card['command']}`"]
    return card, "\n".join(lines) + "\n"


def risk_per_person(confidence: np.ndarray, correct: np.ndarray, people: np.ndarray, threshold: float
                    ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(people in sorted order, each one's share of shown gestures that are wrong, each one's share "not sure") at
    `threshold`."""
    names = sorted(set(people))
    risks, unsure = [], []
    for person in names:
        inside = people == person
        shown = inside & (confidence >= threshold)
        risks.append(float((~correct[shown]).mean()) if shown.any() else 0.0)
        unsure.append(float(1 - shown.sum() / inside.sum()))
    return names, np.array(risks), np.array(unsure)


def person_risk(confidence: np.ndarray, correct: np.ndarray, people: np.ndarray, threshold: float) -> tuple[float, float]:
    """(mean over people of the share of shown gestures that are wrong, mean share "not sure") at `threshold`."""
    _, risks, unsure = risk_per_person(confidence, correct, people, threshold)
    return float(risks.mean()), float(unsure.mean())


def lowest_safe_threshold(confidence: np.ndarray, correct: np.ndarray, people: np.ndarray, max_risk: float,
                          min_answered: float = 0.5, no_hand_confidence: np.ndarray | None = None,
                          max_named: float = 1.0) -> float:
    """The lowest threshold of a 0.01 grid at which the mean person's shown gestures are wrong <= `max_risk` and at
    most `max_named` of the no-hand photos are named (`no_hand_confidence`: the calibrated confidence of each, 0 where
    no hand was found): the fewest "not sure" answers the goal allows. A gesture named on a photo without a hand is
    a wrong answer too. A model that cannot meet the goal while answering `min_answered` of the mean person's photos
    (LeNet) gets the highest threshold that still does: a model picked in the API that only ever said "not sure"
    would be no model at all."""
    no_hand_confidence = np.zeros(0) if no_hand_confidence is None else no_hand_confidence
    grid = np.round(np.arange(0.34, 1.0, 0.01), 2)
    highest_answering = grid[0]
    for threshold in grid:   # a higher threshold answers fewer photos, so the first that answers too few ends it
        risk, unsure = person_risk(confidence, correct, people, threshold)
        if 1 - unsure < min_answered:
            break
        named = float((no_hand_confidence >= threshold).mean()) if len(no_hand_confidence) else 0.0
        if risk <= max_risk and named <= max_named:
            return float(threshold)
        highest_answering = threshold
    return float(highest_answering)


def people_photos(cache_path) -> dict[str, dict[str, np.ndarray]]:
    """The tune and validation people's photos as the search now finds them: as they are ("plain") and in every
    family of rps.people_families (cut, close-up, blur, dim, heavy JPEG, turned, 224 px)."""
    from rps.cache import load_cache
    from rps.evaluate_people import as_searched_now, select
    from rps.people_families import build

    hands = as_searched_now(load_cache(cache_path)["hands"])
    sets = {"plain": select(hands, np.isin(hands["role"], ["tune", "validation"]))}
    sets.update({name: as_searched_now(part) for name, part in build(cache_path).items()})
    return sets


def pooled_people(answers: dict[str, np.ndarray], sets: dict[str, dict[str, np.ndarray]], role: str,
                  names=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(answers, labels, people) of the photos with a hand found of the `role` people, pooled over the sets `names`
    (default: all of `sets`, as `people_photos` gives them)."""
    names = list(sets) if names is None else names
    keep = {name: (sets[name]["role"] == role) & sets[name]["found"] for name in names}
    return (np.concatenate([answers[n][keep[n]] for n in names]),
            np.concatenate([sets[n]["label"][keep[n]] for n in names]),
            np.concatenate([sets[n]["group"][keep[n]] for n in names]))


def fit_on_tune(model_name: str, answers: dict[str, np.ndarray], sets: dict[str, dict[str, np.ndarray]],
                no_hand_answer: np.ndarray, no_hand: dict[str, np.ndarray], max_risk: float,
                max_no_hand_named: float = 1.0) -> tuple[float, float, np.ndarray]:
    """(temperature, "not sure" threshold, each no-hand photo's calibrated confidence, 0 where no hand was found):
    the temperature by log-loss and the `lowest_safe_threshold`, both on the tune people of `sets` (uncalibrated
    `answers` of `model_name` per set) and, with `max_no_hand_named` < 1, the tune photos of `no_hand`."""
    from rps.people import no_hand_role

    probs, labels, people = pooled_people(answers, sets, "tune")
    temperature = fit_temperature(probs, labels)
    tune = calibrated(model_name, probs, temperature)
    no_hand_confidence = calibrated(model_name, no_hand_answer, temperature).max(1) * no_hand["found"]
    tune_no_hand = np.array([no_hand_role(kind) == "tune" for kind in no_hand["kind"]])
    threshold = lowest_safe_threshold(tune.max(1), tune.argmax(1) == labels, people, max_risk,
                                      no_hand_confidence=no_hand_confidence[tune_no_hand],
                                      max_named=max_no_hand_named)
    return temperature, threshold, no_hand_confidence


def fit_on_people(max_risk: float, cache_path, max_no_hand_named: float = 1.0) -> tuple[dict, str]:
    """(the calibration card, the results page): per model, a temperature (log-loss) and the lowest "not sure"
    threshold at which the mean **tune** person's shown gestures are wrong <= `max_risk`, both fitted on the tune
    people's photos, plain and in every family; reported per person on the never-tuned **validation** people."""
    from rps.cache import load_cache
    from rps.evaluate_people import as_searched_now, raw_answer
    from rps.people import no_hand_role

    sets = people_photos(cache_path)
    no_hand = as_searched_now(load_cache(cache_path)["no_hand"])
    no_hand_tune = np.array([no_hand_role(kind) == "tune" for kind in no_hand["kind"]])
    no_hand_rule = (f"The threshold must also leave at most {max_no_hand_named:.0%} of the {no_hand_tune.sum()} tune "
                    "photos without a hand (the sample photos) named a gesture. " if max_no_hand_named < 1 else "")
    lines = ["# \"Not sure\" fitted on real people", "",
             "Per model: the temperature that minimises the log-loss, and the lowest \"not sure\" threshold at which a "
             f"shown gesture is wrong <= {max_risk:.0%} for the mean person, both fitted on the photos of the rps.people "
             "**tune** people in which a hand was found, as they are and in every family of `rps.people_families`. "
             + no_hand_rule +
             "Reported on the never-tuned **validation** people: coverage (share of hand photos answered) and risk "
             f"(share of the answers wrong), mean over people / worst person; and the photos without a hand named, "
             f"tune (fitted) / validation ({(~no_hand_tune).sum()} webcam frames cut beside the hand).",
             "", "| model | temperature | \"not sure\" below | tune: risk / not sure | validation photos: coverage | "
             "risk | validation hard photos: coverage | risk | no-hand photos named: tune / validation |", "|---|---|---|---|---|---|---|---|---|"]
    models, per_set = {}, []
    for model_name in MODEL_CHOICES:
        answers = {name: raw_answer(model_name, part) for name, part in sets.items()}
        temperature, threshold, no_hand_confidence = fit_on_tune(
            model_name, answers, sets, raw_answer(model_name, no_hand), no_hand, max_risk, max_no_hand_named)
        models[model_name] = {"temperature": round(temperature, 4), "not_sure_below": threshold}
        probs, labels, people = pooled_people(answers, sets, "tune")
        tune = calibrated(model_name, probs, temperature)
        tune_risk, tune_unsure = person_risk(tune.max(1), tune.argmax(1) == labels, people, threshold)

        def validation(names):
            probs, labels, people = pooled_people(answers, sets, "validation", names)
            probs = calibrated(model_name, probs, temperature)
            _, risk, unsure = risk_per_person(probs.max(1), probs.argmax(1) == labels, people, threshold)
            return f"{1 - unsure.mean():.3f} / {1 - unsure.max():.3f} | {risk.mean():.3f} / {risk.max():.3f}"

        named = no_hand_confidence >= threshold
        lines.append(f"| {model_name} | {temperature:.2f} | {threshold:.2f} | {tune_risk:.3f} / {tune_unsure:.3f} | "
                     f"{validation(['plain'])} | {validation([n for n in sets if n != 'plain'])} | "
                     f"{named[no_hand_tune].mean():.3f} / {named[~no_hand_tune].mean():.3f} |")
        if model_name == "ensemble":
            per_set = [f"| {name} | {validation([name])} |" for name in sets]
    lines += ["", "Ensemble, validation people, each set: coverage mean / worst person | risk mean / worst person", "",
              "| set | coverage | risk |", "|---|---|---|", *per_set]
    card = {"what": "temperature and 'not sure' threshold per model (rps.predict reads this file)", "models": models,
            "fitted_on": "the rps.people 'tune' people's photos with a hand found (SubhiH sessions and Sign Language "
                         "Digits students), as they are and in every family of rps.people_families"
                         + ("; the tune photos without a hand (the sample photos)" if max_no_hand_named < 1 else ""),
            "max_risk": max_risk, "checkpoints": checkpoints_digest(),
            **({"max_no_hand_named": max_no_hand_named} if max_no_hand_named < 1 else {}),
            "command": f"python -m rps.calibrate --max-risk {max_risk:g}"
                       + (f" --max-no-hand-named {max_no_hand_named:g}" if max_no_hand_named < 1 else "")}
    lines += ["", f"Command: `{card['command']}`; whole-app figures per person: `python -m rps.evaluate_people`."]
    return card, "\n".join(lines) + "\n"


def main() -> None:
    from rps.people import PEOPLE_CACHE

    parser = argparse.ArgumentParser(description="Fit temperatures and thresholds (see the module docstring).")
    parser.add_argument("--on", choices=["people", "hard"], default="people",
                        help="people: the real tune people's photos and their hard families (shipped); hard: the "
                             "SubhiH hard families (rps.hard; shipped before issue 20)")
    parser.add_argument("--max-risk", type=float, default=0.01,
                        help="people: the most a shown gesture may be wrong, mean over tune people")
    parser.add_argument("--max-no-hand-named", type=float, default=1.0,
                        help="people: the most of the tune photos without a hand that may be named a gesture "
                             "(default 1: not asked; 0.02 was tried, see docs/rps_real_people.md)")
    parser.add_argument("--min-coverage", type=float, default=0.97, help="hard: the least share answered")
    parser.add_argument("--cache", default=str(PEOPLE_CACHE),
                        help="people: python -m rps.people cache (its families: python -m rps.people_families)")
    parser.add_argument("--checkpoints", default=None,
                        help="fit the weights in this folder and write its rps_calibration.json (default: checkpoints/)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "rps_calibration.md"), help="results file")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.checkpoints:
        use_checkpoints(args.checkpoints)
    if args.on == "people":
        card, text = fit_on_people(args.max_risk, args.cache, args.max_no_hand_named)
    else:
        card, text = fit(read_all(), args.min_coverage, no_hand_kinds())
    (predict.CHECKPOINTS / "rps_calibration.json").write_text(json.dumps(card, indent=2) + "\n")
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()

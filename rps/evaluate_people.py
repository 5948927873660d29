"""What the app shows for real people in their own rooms, person by person (the measuring stick of issue 20).

    python -m rps.people cache                 # once: the app's hand search on every photo (runs/rps_people.npz)
    python -m rps.evaluate_people              # -> benchmarks/results/rps_people.md
    python -m rps.evaluate_people --checkpoints runs/checkpoints_before --no-write   # another set of weights

Each photo gets the outcome the page shows (rps.predict: the models, their combination, the calibrated "not
sure" threshold): right, wrong, "not sure" or "no hand". Per person (rps.people: a SubhiH session, the webcam
person, a cohort of ten sldd students):
    read right       right / photos
    wrong of named   wrong / (right + wrong): how often a gesture shown is wrong (goal <= 1 %)
    not sure         "not sure" / photos (goal <= 2 %)
    no hand          "no hand" / photos
and for each role (train / tune / validation) and source the mean over people and the worst person. Only the
"validation" people are never tuned on. The real photos without a hand: how many get a gesture (goal <= 2 %).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from rps.cache import load_cache
from rps.data import CLASSES, SHARED_RPS
from rps.people import PEOPLE_CACHE, ROLES

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "rps_people.md"


def present(points: np.ndarray) -> list[np.ndarray | None]:
    """Cached landmarks as the app passes them: None where no hand (NaN rows in the cache)."""
    return [None if np.isnan(p).any() else p for p in points]


def member_answer(name: str, part: dict[str, np.ndarray]) -> np.ndarray:
    """rps.predict.member_probabilities on cached searches, kept in runs/ per weights and inputs: the image model
    on 1,900 crops takes minutes on a shared CPU, and every report and calibration asks for it again."""
    import hashlib

    from rps.predict import READ_MIRROR_TOO, get_model, member_probabilities

    # The cached answers depend on whether the image model also reads the mirror (rps.predict.READ_MIRROR_TOO).
    digest = hashlib.sha256(get_model(name)[1]["weights"]["sha256"].encode() + b"mirror" * READ_MIRROR_TOO)
    for key in (("points", "second") if name == "landmarks" else ("crop",)):
        digest.update(np.ascontiguousarray(part[key]).tobytes())
    path = ROOT / "runs" / "people_probs" / f"{name}_{digest.hexdigest()[:16]}.npy"
    if path.exists():
        return np.load(path)
    probs = member_probabilities(name, list(part["crop"]), present(part["points"]), present(part["second"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, probs)
    return probs


def raw_answer(model_name: str, part: dict[str, np.ndarray]) -> np.ndarray:
    """The uncalibrated N x 3 answer of `model_name` on cached searches, by the app's own code (rps.predict)."""
    from rps.predict import combine, members_of

    needed = set(members_of(model_name)) | ({"efficientnet_lite0"} if "landmarks" in members_of(model_name) else set())
    return combine(model_name, {name: member_answer(name, part) for name in sorted(needed)})


def shown(model_name: str, part: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(calibrated probabilities, the gesture named, sure) as the page would show them."""
    from rps.predict import calibrated, not_sure_below

    probs = calibrated(model_name, raw_answer(model_name, part))
    return probs, probs.argmax(1), (probs.max(1) >= not_sure_below(model_name)) & part["found"]


def outcomes(model_name: str, part: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(per photo: "right", "wrong", "not sure" or "no hand"; the gesture the models' answer names)."""
    _, named, sure = shown(model_name, part)
    out = np.where(named == part["label"], "right", "wrong").astype(object)
    out[~sure] = "not sure"
    out[~part["found"]] = "no hand"
    return out, named


def rates(outcome: np.ndarray) -> dict[str, float]:
    named = np.isin(outcome, ["right", "wrong"]).sum()
    return {"photos": len(outcome), "read right": float((outcome == "right").mean()),
            "wrong of named": float((outcome == "wrong").sum() / named) if named else 0.0,
            "not sure": float((outcome == "not sure").mean()), "no hand": float((outcome == "no hand").mean())}


def per_group(outcome: np.ndarray, groups: np.ndarray) -> dict[str, dict[str, float]]:
    return {group: rates(outcome[groups == group]) for group in sorted(set(groups))}


def summary(table: dict[str, dict[str, float]]) -> dict[str, float]:
    """Mean over people and the worst person of each rate (worst: lowest read right, highest of the others)."""
    columns = ["read right", "wrong of named", "not sure", "no hand"]
    values = {c: np.array([row[c] for row in table.values()]) for c in columns}
    out = {f"mean {c}": float(v.mean()) for c, v in values.items()}
    out.update({f"worst {c}": float(v.min() if c == "read right" else v.max()) for c, v in values.items()})
    out["people"] = len(table)
    out["photos"] = int(sum(row["photos"] for row in table.values()))
    return out


def summary_row(name: str, s: dict[str, float]) -> str:
    return (f"| {name} | {s['people']} | {s['photos']} | {s['mean read right']:.3f} / {s['worst read right']:.3f} | "
            f"{s['mean wrong of named']:.3f} / {s['worst wrong of named']:.3f} | "
            f"{s['mean not sure']:.3f} / {s['worst not sure']:.3f} | {s['mean no hand']:.3f} / {s['worst no hand']:.3f} |")


SUMMARY_HEAD = ["| people | count | photos | read right: mean / worst | wrong of named: mean / worst | "
                "not sure: mean / worst | no hand: mean / worst |", "|---|---|---|---|---|---|---|"]


def subsets(hands: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The rows of the summary table: each role, and within it each source."""
    out = {}
    for role in [r for r in ROLES if (hands["role"] == r).any()]:
        out[f"**{role}**, all"] = hands["role"] == role
        for source in sorted(set(hands["source"][hands["role"] == role])):
            out[f"{role}: {source}"] = (hands["role"] == role) & (hands["source"] == source)
    return out


def as_searched_now(part: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The cache with what the current search would not return: a hand only the second look found (rps.hands.
    find_hands_twice no longer answers with one). Exact: such a photo had every retry step find nothing."""
    dropped = part["step"] == "second look"
    out = dict(part, found=part["found"] & ~dropped)
    out["points"] = np.where(dropped[:, None, None], np.nan, part["points"])
    out["second"] = np.where(dropped[:, None, None], np.nan, part["second"])
    return out


def select(part: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    return {key: value[keep] for key, value in part.items()}


def no_hand_table(model_name: str, no_hand: dict[str, np.ndarray]) -> tuple[float, list[str]]:
    _, _, sure = shown(model_name, {**no_hand, "label": np.zeros(len(no_hand["found"]), int)})
    lines = ["| no-hand pictures | count | hand found | named a gesture |", "|---|---|---|---|"]
    for kind in sorted(set(no_hand["kind"])):
        inside = no_hand["kind"] == kind
        lines.append(f"| {kind} | {inside.sum()} | {no_hand['found'][inside].mean():.3f} | {sure[inside].mean():.3f} |")
    lines.append(f"| **all** | {len(sure)} | {no_hand['found'].mean():.3f} | **{sure.mean():.3f}** |")
    return float(sure.mean()), lines


def report(models: list[str], cache_path: Path = PEOPLE_CACHE, checkpoints: str | None = None,
           search_as_cached: bool = False) -> str:
    from rps.predict import CHECKPOINTS, use_checkpoints

    if checkpoints:
        use_checkpoints(checkpoints)
    cache = load_cache(cache_path)
    hands, no_hand = cache["hands"], cache["no_hand"]
    if not search_as_cached:
        hands, no_hand = as_searched_now(hands), as_searched_now(no_hand)
    lines = ["# Rock / paper / scissors for real people, person by person", "",
             f"Weights: `{checkpoints or CHECKPOINTS.relative_to(ROOT)}`"
             f"{' (hand search as cached: a hand only the second look found still counts)' if search_as_cached else ''}. The app's path on every photo: hand search "
             "(rps.hands), masking, models, calibrated \"not sure\" (rps.predict). People and roles: rps.people; "
             "**validation** people are never tuned on. Cells: mean over people / worst person. Goals (issue 20): "
             "read right >= 0.98 (worst >= 0.93), wrong of named <= 1 %, not sure <= 2 %, no-hand pictures named <= 2 %.", ""]
    for model_name in models:
        outcome, named = outcomes(model_name, hands)
        lines += [f"## {model_name}", ""] + SUMMARY_HEAD
        for name, keep in subsets(hands).items():
            lines.append(summary_row(name, summary(per_group(outcome[keep], hands["group"][keep]))))
        _, table = no_hand_table(model_name, no_hand)
        lines += ["", *table, ""]
        if model_name == models[0]:
            lines += per_person_lines(outcome, named, hands) + webcam_sign_lines(outcome, hands)
    lines += search_step_lines(cache["hands"], cache["no_hand"])
    lines += ["Commands: `python -m rps.people fetch`, `python -m rps.people cache`, `python -m rps.evaluate_people`."]
    return "\n".join(lines) + "\n"


def per_person_lines(outcome: np.ndarray, named: np.ndarray, hands: dict[str, np.ndarray]) -> list[str]:
    """Every validation and tune person's row, with what the wrong and unsure photos were."""
    from collections import Counter

    lines = ["Per person (tune and validation). Last column: the wrong answers and the \"not sure\" ones (the best "
             "guess in brackets), true → named, counts.", "",
             "| role | person | photos | read right | wrong of named | not sure | no hand | wrong; (not sure) |",
             "|---|---|---|---|---|---|---|---|"]
    for role in ["validation", "tune"]:
        keep = hands["role"] == role
        for group, row in per_group(outcome[keep], hands["group"][keep]).items():
            inside = keep & (hands["group"] == group)
            confusions = []
            for kind, template in [("wrong", "{}→{} {}"), ("not sure", "({}→{} {})")]:
                pick = inside & (outcome == kind)
                pairs = Counter(zip(hands["label"][pick], named[pick]))
                confusions += [template.format(CLASSES[t], CLASSES[n], c) for (t, n), c in sorted(pairs.items())]
            lines.append(f"| {role} | {group} | {row['photos']} | {row['read right']:.3f} | {row['wrong of named']:.3f} | "
                         f"{row['not sure']:.3f} | {row['no hand']:.3f} | {', '.join(confusions)} |")
    return lines + [""]


def webcam_signs(paths: np.ndarray, manifest: Path = SHARED_RPS / "realrooms" / "manifest.csv") -> np.ndarray:
    """The sign each meyasl webcam frame shows, from its source path in the realrooms manifest ("data/L/3.jpg" ->
    "L"); "" for other photos."""
    import csv

    if not manifest.exists():
        return np.full(len(paths), "")
    with open(manifest, newline="") as handle:
        signs = {row["file"]: row["source_path"].split("/")[1] for row in csv.DictReader(handle)
                 if row["person"].startswith("meyasl")}
    return np.array([signs.get("/".join(Path(path).parts[-2:]), "") for path in paths])


def webcam_sign_lines(outcome: np.ndarray, hands: dict[str, np.ndarray]) -> list[str]:
    """The webcam validation person (the worst person) by sign: the realrooms README files fists A and S as rock,
    palms B as paper, V and the ASL "L" (thumb and index out) as scissors."""
    signs = webcam_signs(hands["path"])
    if not (signs != "").any():
        return []
    lines = ["The webcam person by sign (from the realrooms manifest's source paths):", "",
             "| sign | gesture | photos | read right | wrong | not sure | no hand |", "|---|---|---|---|---|---|---|"]
    for sign in sorted(set(signs) - {""}):
        mine = signs == sign
        gesture = CLASSES[int(np.bincount(hands["label"][mine]).argmax())]
        counts = [int((outcome[mine] == kind).sum()) for kind in ("wrong", "not sure", "no hand")]
        lines.append(f"| {sign} | {gesture} | {mine.sum()} | {(outcome[mine] == 'right').mean():.3f} | "
                     + " | ".join(map(str, counts)) + " |")
    return lines + [""]


def search_step_lines(hands: dict[str, np.ndarray], no_hand: dict[str, np.ndarray]) -> list[str]:
    """Which step of the hand search found the hand, per role, and the "hands" it found in the no-hand pictures."""
    columns = [(role, hands["step"][hands["role"] == role]) for role in ROLES] + [("no-hand pictures", no_hand["step"])]
    return step_count_lines("Which step of the hand search found the hand (photos; a retry runs only when every step "
                            "before it found nothing):", columns) + [""]


def step_count_lines(title: str, columns: list[tuple[str, np.ndarray]]) -> list[str]:
    """A table of how many photos each step of the hand search (rps.hands.SEARCH_ORDER) found, one column per
    (name, the cache's `step` field) pair. "second look only": a hand only the smoothed second look saw, which the
    app no longer takes (it must be seen again, `as_searched_now`)."""
    from rps.hands import SEARCH_ORDER

    lines = [title, "", "| step | " + " | ".join(name for name, _ in columns) + " |", "|---|" + "---|" * len(columns)]
    for step, label in [(s, s) for s in SEARCH_ORDER] + [("second look", "second look only (not taken)"), ("", "none")]:
        lines.append(f"| {label} | " + " | ".join(str(int((steps == step).sum())) for _, steps in columns) + " |")
    return lines


def main() -> None:
    from rps.predict import MODEL_CHOICES

    parser = argparse.ArgumentParser(description="Per-person accuracy on real people (see the module docstring).")
    parser.add_argument("--models", nargs="+", default=["ensemble", "landmarks", "efficientnet_lite0"],
                        choices=MODEL_CHOICES, help="models to report (the first also gets the per-person rows)")
    parser.add_argument("--cache", default=str(PEOPLE_CACHE), help="python -m rps.people cache")
    parser.add_argument("--checkpoints", default=None, help="read weights and calibration from this folder")
    parser.add_argument("--out", default=str(RESULTS), help="results file")
    parser.add_argument("--search-as-cached", action="store_true",
                        help="keep the hands only the second look found (the search before issue 20)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    text = report(args.models, Path(args.cache), args.checkpoints, args.search_as_cached)
    print(text)
    if not args.no_write:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()

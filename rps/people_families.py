"""The hard families made from real people's own photos, person by person (issue 20: "where real photos are few,
make the families from them, not only from SubhiH").

    python -m rps.people_families        # -> benchmarks/results/rps_people_families.md (~10 min the first time)
    python -m rps.people_families --train-cache runs/rps_people_hard_train.npz --copies 2   # training data (~15 min)

Every hand photo of the tune and validation people (rps.people) is changed by each family of rps.hard (cut at an
edge, a close-up that the hand overflows, motion blur, a dim room, heavy JPEG, turned) and scaled down to a 224 px
webcam frame (the size of the issue's held-out frames), placed by the landmarks
the people cache found in the original (`python -m rps.people cache` first). Then the app's path runs on it
(rps.people.search_record: hand search, masking; rps.evaluate_people.outcomes: models, calibrated "not sure"),
and each family gets a row per role: read right, wrong of named and "not sure", mean over people and the worst
person. The searches are cached in runs/, one file a family (keyed on rps.hard.VERSION).

The tune people's families may be fitted on (rps.calibrate does); the validation people's are only reported. The
train people's families (`--train-cache`) are what the shipped models learn hard photos from (rps.train
`--degraded-cache`); "turned" and "224 px" are left out of those, as the models' canonical frame undoes a turn and
224 px changes little.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from rps.cache import load_cache
from rps.evaluate_people import as_searched_now, outcomes, per_group, step_count_lines, subsets, summary
from rps.hard import MAKERS, SEED, VERSION
from rps.people import PEOPLE_CACHE, cached_photo, read_photo, search_record, stacked

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "rps_people_families.md"
ROLES = ["tune", "validation"]
KEPT = ["label", "person", "group", "role", "source", "path"]


def webcam_224(rgb, points, rng):
    """The frame as a 224 px webcam sends it (longer side 224; smaller photos stay as they are)."""
    scale = 224 / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    return cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)), interpolation=cv2.INTER_AREA)


CHANGES = {**MAKERS, "224 px": webcam_224}
# --framing webcam: how tall the hand's box is in the 4:3 frame it is placed in (a webcam with the face in view).
WEBCAM_HAND_HEIGHT = (0.3, 0.5)


def in_webcam_frame(rgb: np.ndarray, points: np.ndarray | None, rng) -> tuple[np.ndarray, np.ndarray | None]:
    """(the photo placed in a 4:3 frame, its border pixels carried outwards, so that the hand's box is 30-50 % of the
    frame's height; the landmarks moved with it). The families' changes then act on a hand as small as a webcam
    frame shows it. A photo without landmarks stays as it is."""
    if points is None:
        return rgb, points
    height, width = rgb.shape[:2]
    x0, y0 = points[:, :2].min(0)
    x1, y1 = points[:, :2].max(0)
    frame_h = max(height, (y1 - y0) / rng.uniform(*WEBCAM_HAND_HEIGHT))
    frame_w = max(width, frame_h * 4 / 3)
    frame_h = max(frame_h, frame_w * 3 / 4)
    left = int(rng.uniform(0, frame_w - width))
    top = int(rng.uniform(0, frame_h - height))
    framed = cv2.copyMakeBorder(rgb, top, int(frame_h) - height - top, left, int(frame_w) - width - left,
                                cv2.BORDER_REPLICATE)
    moved = points.copy()
    moved[:, 0] += left
    moved[:, 1] += top
    return framed, moved


def cache_path(name: str, roles: list[str], copy: int = 0, work_dir: Path = ROOT / "runs", framing: str = "") -> Path:
    again = f"_copy{copy}" if copy else ""
    framed = f"_{framing}" if framing else ""
    return work_dir / f"rps_people_family_{'_'.join(roles)}_{name.replace(' ', '_')}{again}{framed}_v{VERSION}.npz"


def changed_photos(name: str, hands: dict[str, np.ndarray], copy: int = 0, framing: str = ""):
    """Every photo in `hands` (a people-cache part) changed by family `name`, in order, placed by the landmarks the
    people cache found. Each `copy` draws its own changes (copy 0 keeps the seed the first caches were made with);
    `framing` "webcam" first places each photo in a webcam frame (`in_webcam_frame`). The same arguments give the
    same pictures."""
    rng = np.random.default_rng([SEED, list(CHANGES).index(name), 7] + ([copy] if copy else [])
                                + ([1] if framing else []))
    for index in range(len(hands["path"])):
        points = hands["points"][index] if hands["found"][index] else None
        rgb = read_photo(cached_photo(hands, index))
        if framing == "webcam":
            rgb, points = in_webcam_frame(rgb, points, rng)
        yield np.ascontiguousarray(CHANGES[name](rgb, points, rng))


def family_of_people(name: str, hands: dict[str, np.ndarray], copy: int = 0, framing: str = "") -> dict[str, np.ndarray]:
    """Family `name` made from every photo in `hands` (`changed_photos`), searched the app's way."""
    out = stacked([search_record(changed) for changed in changed_photos(name, hands, copy, framing)])
    out.update({key: hands[key] for key in KEPT})
    return out


def build(people_cache: Path = PEOPLE_CACHE, roles: list[str] = ROLES, names: list[str] = list(CHANGES), copy: int = 0,
          framing: str = "") -> dict[str, dict[str, np.ndarray]]:
    """Every family of the people of `roles` (each read from its cache in runs/ when it is there)."""
    hands = load_cache(people_cache)["hands"]
    keep = np.isin(hands["role"], roles)
    hands = {key: value[keep] for key, value in hands.items()}
    families = {}
    for name in names:
        path = cache_path(name, roles, copy, framing=framing)
        if path.exists():
            families[name] = load_cache(path)["family"]
            continue
        began = time.perf_counter()
        families[name] = family_of_people(name, hands, copy, framing)
        print(f"{name}: {len(hands['path'])} photos, hands in {families[name]['found'].sum()} "
              f"({time.perf_counter() - began:.0f} s)", flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **{f"family/{key}": value for key, value in families[name].items()})
    return families


def write_training_cache(copies: list[dict[str, dict[str, np.ndarray]]], out: Path, framing: str | None = None) -> None:
    """The train people's hard photos (`copies`: each a set of families) in the form `python -m rps.train
    --degraded-cache` reads: MediaPipe's landmarks (both looks) of every hand found, for the landmarks model, and the
    crop the app's image models see of every photo."""
    parts = [part for families in copies for part in families.values()]
    points, labels = [], []
    for part in parts:
        for key in ("points", "second"):
            seen = ~np.isnan(part[key]).any((1, 2)) & part["found"]
            points.append(part[key][seen])
            labels.append(part["label"][seen])
    crops = np.concatenate([part["crop"] for part in parts])
    crop_labels = np.concatenate([part["label"] for part in parts])
    command = (f"python -m rps.people_families --train-cache {out}" + (f" --copies {len(copies)}" if len(copies) > 1 else "")
               + (f" --framing {framing}" if framing else ""))
    drawn = f"; each drawn {len(copies)} times" if len(copies) > 1 else ""
    drawn += f", the later draws in a {framing} frame" if framing else ""
    what = (f"the rps.people 'train' people's photos changed by rps.people_families ({', '.join(copies[0])}{drawn}) "
            f"as the app's hand search finds them ({command})")
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **{"train/points": np.concatenate(points).astype(np.float32),
                                "train/labels": np.concatenate(labels).astype(np.int64),
                                "train/crops": crops, "train/crop_labels": crop_labels.astype(np.int64),
                                "train/what": np.array(what)})
    print(f"wrote {out}: {sum(len(p) for p in points)} hands' landmarks, {len(crops)} crops")


def search_steps(families: dict[str, dict[str, np.ndarray]], role: str = "validation") -> list[str]:
    """Which step of the hand search found the hand in each family's photos of the `role` people."""
    columns = [(name, part["step"][part["role"] == role]) for name, part in families.items()]
    return [""] + step_count_lines(f"Which step of the hand search found the hand, {role} people's photos (a retry "
                                   "runs only when every step before it found nothing):", columns)


def report(model_name: str, families: dict[str, dict[str, np.ndarray]]) -> str:
    lines = [f"# The hard families made from real people's photos ({model_name})", "",
             "Every hand photo of the tune and validation people of rps.people, changed as rps.hard changes SubhiH's "
             "(cut, close-up, motion blur, dim, heavy JPEG, turned) or scaled down to a 224 px webcam frame, then read "
             "by the app's path. A photo judged \"no hand\" counts as not right. Cells: mean over people / worst "
             "person. Validation people are never tuned on.", ""]
    summaries = {}
    for name, part in families.items():
        part = as_searched_now(part)
        outcome, _ = outcomes(model_name, part)
        summaries[name] = {rows: summary(per_group(outcome[keep], part["group"][keep]))
                           for rows, keep in subsets(part).items()}
    columns = list(next(iter(summaries.values())))
    lines += ["Read right:", "", "| family | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for name, rows in summaries.items():
        lines.append(f"| {name} | " + " | ".join(f"{rows[c]['mean read right']:.3f} / {rows[c]['worst read right']:.3f}"
                                                 for c in columns) + " |")
    lines += ["", "All four outcomes:", "", "| family | people | count | photos | read right | wrong of named | not sure | "
              "no hand |", "|---|---|---|---|---|---|---|---|"]
    for name, rows in summaries.items():
        for row, s in rows.items():
            lines.append(f"| {name} | {row} | {s['people']} | {s['photos']} | {s['mean read right']:.3f} / "
                         f"{s['worst read right']:.3f} | {s['mean wrong of named']:.3f} / {s['worst wrong of named']:.3f}"
                         f" | {s['mean not sure']:.3f} / {s['worst not sure']:.3f} | {s['mean no hand']:.3f} / "
                         f"{s['worst no hand']:.3f} |")
    lines += search_steps(families)
    return "\n".join(lines + ["", "Commands: `python -m rps.people cache`, `python -m rps.people_families`."]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Hard families of real people's photos (see the module docstring).")
    parser.add_argument("--model", default="ensemble", help="the model to report (rps.predict.MODEL_CHOICES)")
    parser.add_argument("--cache", default=str(PEOPLE_CACHE), help="python -m rps.people cache")
    parser.add_argument("--out", default=str(RESULTS), help="results file")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--checkpoints", default=None, help="read weights and calibration from this folder")
    parser.add_argument("--train-cache", default=None,
                        help="instead: make the families of the *train* people and write them here for "
                             "`python -m rps.train --degraded-cache` (the shipped models learn from them)")
    parser.add_argument("--copies", type=int, default=1,
                        help="--train-cache: how many times each family is drawn (each copy its own random changes)")
    parser.add_argument("--framing", choices=["webcam"], default=None,
                        help="--train-cache: draw the copies after the first with each photo placed in a webcam frame "
                             "(the hand 30-50 %% of its height) before it is changed")
    args = parser.parse_args()
    if args.train_cache:
        names = [name for name in CHANGES if name not in ("rotate", "224 px")]  # the canonical frame undoes a turn
        copies = [build(Path(args.cache), ["train"], names, copy, args.framing if copy else "")
                  for copy in range(args.copies)]
        write_training_cache(copies, Path(args.train_cache), args.framing)
        return
    if args.checkpoints:
        from rps.predict import use_checkpoints

        use_checkpoints(args.checkpoints)
    text = report(args.model, build(Path(args.cache)))
    print(text)
    if not args.no_write:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()

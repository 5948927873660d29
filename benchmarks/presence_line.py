"""What a higher "seen again" presence line would do: fewer faces named, but which hands of real people are lost?

    python -m rps.people cache && python -m rps.people_families    # once (the caches in runs/)
    python -m benchmarks.presence_line                               # -> benchmarks/results/presence_line.md (~3 min)

The hand search's last check (rps.hands.seen_again_only) drops a found hand whose presence score, when MediaPipe's
landmark network looks again where its landmarks lie, is below MediaPipe's default 0.5. This script scores every
hand the search found, in the tune and validation people's photos (as they are and in every family of
rps.people_families, remade by rps.people_families.changed_photos) and in the no-hand photos, and reads the photos
with the shipped weights and calibration as if the line were higher: a hand below the line becomes "no hand".
The line is chosen on the tune people and the tune no-hand photos (docs/rps_real_people.md states the rule);
validation is reported.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rps.cache import load_cache  # noqa: E402
from rps.evaluate_people import as_searched_now, outcomes, per_group, select, shown, summary  # noqa: E402
from rps.landmark_net import read_square, tracking_square  # noqa: E402
from rps.people import PEOPLE_CACHE, cached_photo, no_hand_role, read_photo, sample_photos, views_of  # noqa: E402
from rps.people_families import CHANGES, build, changed_photos  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "presence_line.md"
LINES = np.round(np.arange(0.5, 0.96, 0.05), 2)


def presence(rgb: np.ndarray, points: np.ndarray) -> float:
    return read_square(tracking_square(np.ascontiguousarray(rgb), points))[1]


def scored(part: dict[str, np.ndarray], pictures) -> np.ndarray:
    """Each found hand's presence score where its landmarks lie (NaN where no hand was found)."""
    out = np.full(len(part["found"]), np.nan)
    for index, rgb in enumerate(pictures):
        if part["found"][index]:
            out[index] = presence(rgb, part["points"][index])
    return out


def read_right(part: dict[str, np.ndarray], scores: np.ndarray, line: float, role: str) -> tuple[float, float]:
    """(mean, worst) read right of the people of `role` with the hands below `line` dropped."""
    out, _ = outcomes("ensemble", dict(part, found=part["found"] & ~(scores < line)))
    mine = part["role"] == role
    s = summary(per_group(out[mine], part["group"][mine]))
    return s["mean read right"], s["worst read right"]


def main() -> None:
    parser = argparse.ArgumentParser(description="Read the real people with a higher seen-again presence line.")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    cache = load_cache(PEOPLE_CACHE)
    hands = select(cache["hands"], np.isin(cache["hands"]["role"], ["tune", "validation"]))
    sets = {"as they are": as_searched_now(hands)}
    sets.update({name: as_searched_now(part) for name, part in build(PEOPLE_CACHE).items()})
    scores = {"as they are": scored(sets["as they are"], (read_photo(cached_photo(hands, i))
                                                          for i in range(len(hands["path"]))))}
    for name in CHANGES:
        scores[name] = scored(sets[name], changed_photos(name, hands))
    no_hand = as_searched_now(cache["no_hand"])
    views = [view for _, rgb in sample_photos() for view in views_of(rgb)]   # the meyasl frames: no image kept
    no_hand_scores = scored(select(no_hand, np.arange(len(views))), views)
    tune_no_hand = np.array([no_hand_role(kind) == "tune" for kind in no_hand["kind"]])[:len(views)]
    _, _, sure = shown("ensemble", {**no_hand, "label": np.zeros(len(no_hand["found"]), int)})
    lines = ["# A higher \"seen again\" presence line (`python -m benchmarks.presence_line`)", "",
             "Ensemble, shipped weights and calibration. Read right: mean of people (worst person as they are). "
             "No-hand photos named: of the tune sample photos (meyasl no-hand frames keep no image and are left out; "
             "none of them is named).", ""]
    for role in ("tune", "validation"):
        lines += [f"**{role} people**", "",
                  "| line | no-hand named (tune) | as they are: mean / worst | " + " | ".join(list(sets)[1:]) + " |",
                  "|---|---|---|" + "---|" * (len(sets) - 1)]
        for line in LINES:
            named = (sure[:len(views)] & ~(no_hand_scores < line))[tune_no_hand].sum()
            plain = read_right(sets["as they are"], scores["as they are"], line, role)
            cells = [f"{read_right(sets[n], scores[n], line, role)[0]:.3f}" for n in list(sets)[1:]]
            lines.append(f"| {line:.2f} | {named} / {tune_no_hand.sum()} | {plain[0]:.3f} / {plain[1]:.3f} | "
                         + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
        lines.append("")
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""Would a third ensemble member help? The landmarks model and two EfficientNet-Lite0s averaged, simulated on the
cached member answers (nothing is built), calibrated the way `python -m rps.calibrate` does.

    python -m rps.train --model efficientnet_lite0 ... --out runs/cand_f5/rps_efficientnet_lite0   # the other Lite0
    python -m benchmarks.third_member --other runs/cand_f5      # -> benchmarks/results/third_member.md (~1 min)

For the shipped pair and for the three members, with the plain fit and with the no-hand-aware fit
(`--max-no-hand-named 0.02`): the temperature and "not sure" threshold fitted on the tune people (photos and
families), the no-hand photos named, and read right per set (mean of people / worst person) for tune and
validation people. The shipped pair's row reproduces rps.calibrate and rps.evaluate_people exactly.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rps.cache import load_cache  # noqa: E402
from rps.calibrate import fit_on_tune, people_photos  # noqa: E402
from rps.evaluate_people import as_searched_now, member_answer  # noqa: E402
from rps.people import PEOPLE_CACHE  # noqa: E402
from rps.predict import calibrated, combine, use_checkpoints  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "third_member.md"


def member_answers(folder: str, sets: dict) -> dict[str, dict[str, np.ndarray]]:
    """Each set's answers of the two members whose weights are in `folder`."""
    use_checkpoints(folder)
    return {name: {member: member_answer(member, part) for member in ("efficientnet_lite0", "landmarks")}
            for name, part in sets.items()}


def read_right(probs: np.ndarray, part: dict, threshold: float, role: str) -> tuple[float, float]:
    """(mean, worst) over the people of `role`: a hand found, sure and right."""
    right = part["found"] & (probs.max(1) >= threshold) & (probs.argmax(1) == part["label"])
    mine = part["role"] == role
    per_person = [right[mine & (part["group"] == group)].mean() for group in sorted(set(part["group"][mine]))]
    return float(np.mean(per_person)), float(np.min(per_person))


def fitted_rows(label: str, answers: dict[str, np.ndarray], sets: dict, no_hand: dict, max_named: float) -> list[str]:
    """Fitted as rps.calibrate fits (rps.calibrate.fit_on_tune); one row per role."""
    temperature, threshold, no_hand_confidence = fit_on_tune("ensemble", answers, sets, answers["no hand"], no_hand,
                                                             0.01, max_named)
    named = int((no_hand_confidence >= threshold).sum())
    rows = []
    for role in ("tune", "validation"):
        cells = [read_right(calibrated("ensemble", answers[name], temperature), part, threshold, role)
                 for name, part in sets.items()]
        families = np.mean([mean for mean, _ in cells[1:]])
        rows.append(f"| {label} | {'≤ ' + format(max_named, '.0%') if max_named < 1 else 'off'} | {temperature:.2f} | "
                    f"{threshold:.2f} | {named} | {role} | {cells[0][0]:.3f} / {cells[0][1]:.3f} | "
                    + " | ".join(f"{mean:.3f}" for mean, _ in cells[1:]) + f" | {families:.3f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Simulate a three-member ensemble (see the module docstring).")
    parser.add_argument("--other", required=True, help="folder with the other EfficientNet-Lite0's weights")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    sets = people_photos(PEOPLE_CACHE)
    no_hand = as_searched_now(load_cache(PEOPLE_CACHE)["no_hand"])
    shipped = member_answers("checkpoints", {**sets, "no hand": no_hand})
    other = member_answers(args.other, {**sets, "no hand": no_hand})
    pair = {name: combine("ensemble", members) for name, members in shipped.items()}
    three = {name: np.nanmean(np.stack([members["landmarks"], members["efficientnet_lite0"],
                                        other[name]["efficientnet_lite0"]]), axis=0)
             for name, members in shipped.items()}
    families = [name for name in sets if name != "plain"]
    lines = [f"# A third member (`python -m benchmarks.third_member --other {args.other}`)", "",
             "Read right: as they are (mean / worst person), then each family's mean of people, then the families' "
             f"mean. No-hand photos named: of {len(no_hand['found'])}.", "",
             "| members | no-hand fit | temperature | \"not sure\" below | no-hand named | people | as they are | "
             + " | ".join(families) + " | families |", "|---|---|---|---|---|---|---|" + "---|" * (len(families) + 1)]
    for label, answers in (("shipped pair", pair), ("three", three)):
        for max_named in (1.0, 0.02):
            lines += fitted_rows(label, answers, sets, no_hand, max_named)
            print(*lines[-2:], sep="\n", flush=True)
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""How much a few taught photos help: the personal reader (rps.personal) per person of the real people (rps.people).

People and roles come from rps.people: SubhiH recording sessions and the meyasl webcam person, each "train",
"tune" or "validation" (fixed there before any result). A person is used when every gesture has at least
k + 1 pictures with a hand found (teach k = 5 of them, read the rest): the sldd students have one photo per
gesture and can't be used. Photos where the app finds no hand are left out: the app says "no hand" for them
whatever was taught.

For each person, k = 1, 3, 5 photos of each gesture are taught (one per picture: SubhiH crops of one source
picture, or meyasl frames in one run of FRAME_RUN consecutive frames, count as one picture and are all taught or
all read, so a near-duplicate is never read), and the rest of that person's photos are read by PersonalReader.read,
the app's "personal" path: the shipped ensemble's probabilities (as rps.evaluate_people computes them from the
people cache, masking on) blended with the taught examples. Each k is drawn `--draws` times; a person's
accuracy is the mean over the draws. The reader's constants may be chosen on train and tune people only; the
validation people are reported, never tuned on. `margin_evidence` prints what MARGIN is chosen from.

A taught new gesture: no fourth gesture exists in the data, so one real gesture is hidden from the shipped model
(its probability removed, the other two renormalised) and taught under a new name, like a visitor teaching "spock".

    python -m rps.people cache                   # once (or copy runs/rps_people.npz from a colleague's tree)
    python -m benchmarks.personal_rps            # -> benchmarks/results/personal_rps.md; features cached in
                                                 #    runs/personal_people_features_<weights>.npz (~1 min the first time)
    python -m benchmarks.personal_rps --families  # also each person's hard photos (rps.people_families), one family
                                                 #    a person: where the shipped model does go wrong
"""
from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rps.cache import load_cache  # noqa: E402
from rps.data import CLASSES  # noqa: E402
from rps.people import PEOPLE_CACHE, ROLES  # noqa: E402
from rps.personal import HandFeatures, PersonalReader, class_distances  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "personal_rps.md"
KS = (1, 3, 5)
FRAME_RUN = 5   # meyasl webcam frames: this many consecutive frames count as one picture
NAMES = dict(enumerate(CLASSES))


# ---------------------------------------------------------------- features of every photo, once

def picture_of(path: str, source: str) -> str:
    """Photos that must be taught or read together: a SubhiH source picture, a run of webcam frames."""
    name = Path(path).stem
    if source == "subhih":                      # "train__2_pic00361__355_194"
        return name.split("__")[1]
    if source == "meyasl":                      # "meyasl_p01_0042"
        return f"frames {int(name.rsplit('_', 1)[1]) // FRAME_RUN}"
    return name


def features_of(hands: dict[str, np.ndarray], family: str = "") -> dict[str, np.ndarray]:
    """Shipped probabilities and personal features of every photo with a hand in a people-cache part (as the search
    now finds them); a `family`'s photos count as people of their own ("meyasl_p01, blur")."""
    from rps.evaluate_people import shown
    from rps.landmarks import landmark_features
    from rps.predict import image_embedding

    shipped, _, _ = shown("ensemble", hands)
    keep = hands["found"]
    embeddings = image_embedding(list(hands["crop"][keep]))   # the crop rps.personal.hand_features makes
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True) + 1e-9
    people = hands["person"][keep]
    return {"path": hands["path"][keep], "label": hands["label"][keep],
            "person": np.array([f"{person}, {family}" for person in people]) if family else people,
            "role": hands["role"][keep], "source": hands["source"][keep], "shipped": shipped[keep],
            "picture": np.array([picture_of(p, s) for p, s in zip(hands["path"][keep], hands["source"][keep])]),
            "landmarks": np.array([landmark_features(p) for p in hands["points"][keep]], np.float32),
            "embedding": embeddings.astype(np.float32)}


def extract(cache_path: Path, families: bool = False) -> dict[str, np.ndarray]:
    """The features of the people cache's photos, or (`families`) of every rps.people_families family of them."""
    import torch

    from rps.evaluate_people import as_searched_now
    from rps.people_families import build

    torch.set_num_threads(1)
    if not families:
        return features_of(as_searched_now(load_cache(cache_path)["hands"]))
    parts = [features_of(as_searched_now(part), name) for name, part in build(cache_path).items()]
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


def features_path(kind: str = "people") -> Path:
    """The features cache of the weights and calibration in use: the shipped answers in it depend on both."""
    import hashlib

    from rps.hard import checkpoints_digest
    from rps.predict import CHECKPOINTS

    calibration = CHECKPOINTS / "rps_calibration.json"
    used = checkpoints_digest().encode() + (calibration.read_bytes() if calibration.exists() else b"")
    return ROOT / "runs" / f"personal_{kind}_features_{hashlib.sha256(used).hexdigest()[:12]}.npz"


def load_features(cache_path: Path, refresh: bool, families: bool = False) -> dict[str, np.ndarray]:
    path = features_path("family" if families else "people")
    if path.exists() and not refresh:
        with np.load(path) as data:
            return {key: data[key] for key in data.files}
    data = extract(cache_path, families)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **data)
    return data


def features_at(data, index: int, hide: int | None = None) -> HandFeatures:
    """A photo's features and the shipped model's guess (as rps.personal.example_features keeps it when taught)."""
    shipped = shipped_of(data, index, hide)
    return HandFeatures(data["landmarks"][index], data["embedding"][index], max(shipped, key=shipped.get))


# ---------------------------------------------------------------- people and draws

def usable_people(data, k: int = max(KS)) -> list[str]:
    """People with at least k + 1 pictures of every gesture, in role order, then by size."""
    out = []
    for person in sorted(set(data["person"]), key=lambda p: -np.sum(data["person"] == p)):
        mine = data["person"] == person
        if all(len(set(data["picture"][mine & (data["label"] == c)])) > k for c in range(len(CLASSES))):
            out.append(person)
    return sorted(out, key=lambda p: ROLES.index(role_of(data, p)))


def role_of(data, person: str) -> str:
    return str(data["role"][data["person"] == person][0])


def draw(data, person: str, k: int, rng) -> tuple[list[int], list[int]]:
    """(taught, read): one photo from each of k random pictures per gesture; read every untaught picture."""
    mine = np.flatnonzero(data["person"] == person)
    taught = []
    for label in range(len(CLASSES)):
        of_class = [i for i in mine if data["label"][i] == label]
        pictures = sorted({data["picture"][i] for i in of_class})
        for picture in rng.permutation(pictures)[:k]:
            taught.append(int(rng.choice([i for i in of_class if data["picture"][i] == picture])))
    taught_pictures = {data["picture"][i] for i in taught}
    return taught, [int(i) for i in mine if data["picture"][i] not in taught_pictures]


def draws_of(data, person: str, k: int, count: int, seed: int) -> list[tuple[list[int], list[int]]]:
    return [draw(data, person, k, np.random.default_rng([seed, index, k, sum(map(ord, person))]))
            for index in range(count)]


def shipped_of(data, index: int, hide: int | None = None) -> dict[str, float]:
    probabilities = data["shipped"][index].copy()
    if hide is not None:   # the hidden gesture is unknown to the shipped model
        probabilities[hide] = 0.0
        probabilities /= probabilities.sum()
    return dict(zip(CLASSES, probabilities.tolist()))


def read_all(data, taught: list[int], to_read: list[int], names: dict[int, str], hide: int | None = None,
             reader_class=PersonalReader, features=features_at):
    """Predicted class index of every photo in `to_read` by a reader taught `taught` (label names `names`).
    `reader_class` and `features` let benchmarks/personal_rps_variants.py try other readers on the same draws."""
    reader = reader_class()
    for i in taught:
        reader.add(names[int(data["label"][i])], features(data, i, hide))
    index_of = {name: label for label, name in names.items()}
    predicted = []
    for i in to_read:
        probabilities, _ = reader.read(features(data, i), shipped_of(data, i, hide))
        predicted.append(index_of.get(max(probabilities, key=probabilities.get), -1))
    return np.array(predicted)


# ---------------------------------------------------------------- measurements

def per_person(data, people: list[str], draws: int, seed: int, **reader) -> list[dict]:
    """Each person's accuracy with k taught, next to the shipped model's; `reader`: read_all's reader options."""
    rows = []
    for person in people:
        mine = data["person"] == person
        row = {"person": person, "role": role_of(data, person), "photos": int(mine.sum()),
               "per_class": [int(np.sum(mine & (data["label"] == c))) for c in range(len(CLASSES))]}
        for k in KS:
            personal, shipped = [], []
            for taught, to_read in draws_of(data, person, k, draws, seed):
                truth = data["label"][to_read]
                personal.append(np.mean(read_all(data, taught, to_read, NAMES, **reader) == truth))
                shipped.append(np.mean(data["shipped"][to_read].argmax(1) == truth))
            row[k], row[f"shipped{k}"] = float(np.mean(personal)), float(np.mean(shipped))
        rows.append(row)
    return rows


def margin_evidence(data, people: list[str], draws: int, seed: int, k: int = max(KS)) -> dict[str, float]:
    """On train and tune people, the distances alone: how much nearer the right gesture's examples are than the
    nearest other gesture's (ratio > 1: the distances alone read it right). MARGIN is chosen from this."""
    ratios = []
    for person in people:
        if role_of(data, person) == "validation":
            continue
        for taught, to_read in draws_of(data, person, k, draws, seed):
            labels = [CLASSES[data["label"][i]] for i in taught]
            examples = [features_at(data, i) for i in taught]
            for i in to_read:
                distances = class_distances(features_at(data, i), examples, labels)
                right = distances.pop(CLASSES[data["label"][i]])
                ratios.append(min(distances.values()) / max(right, 1e-9))
    ratios = np.array(ratios)
    wrong = ratios[ratios < 1]
    return {"reads": len(ratios), "wrong": len(wrong), "wrong_ratio_min": float(wrong.min()) if len(wrong) else 1.0,
            "right_q05": float(np.quantile(ratios, 0.05))}


def new_gesture(data, people: list[str], draws: int, seed: int, k: int = 5) -> list[dict]:
    """Hide each gesture in turn from the shipped model and teach it under a new name (k photos per class)."""
    out = []
    for hide in range(len(CLASSES)):
        names = dict(NAMES)
        names[hide] = f"new gesture ({CLASSES[hide]} hidden)"
        per_role = {role: {"new": [], "others": [], "shipped": []} for role in ROLES}
        for person in people:
            new_hits, others, shipped = [], [], []
            for taught, to_read in draws_of(data, person, k, draws, seed + 100 + hide):
                truth = data["label"][to_read]
                predicted = read_all(data, taught, to_read, names, hide=hide)
                is_new = truth == hide
                new_hits.append(np.mean(predicted[is_new] == hide))
                others.append(np.mean(predicted[~is_new] == truth[~is_new]))
                shipped.append(np.mean(data["shipped"][to_read][~is_new].argmax(1) == truth[~is_new]))
            for key, values in (("new", new_hits), ("others", others), ("shipped", shipped)):
                per_role[role_of(data, person)][key].append(float(np.mean(values)))
        out.append({"hidden": CLASSES[hide], "per_role": per_role})
    return out


def timing(data, photos: int = 20) -> dict[str, float]:
    """Median ms per photo in-process, from the file: the shipped ensemble vs "personal" with 15 examples taught."""
    from rps.personal import classify_personal, teach
    from rps.predict import classify_hand

    mine = np.flatnonzero((data["person"] == "subhih 2"))
    reader = PersonalReader()
    for label in range(len(CLASSES)):
        for i in [i for i in mine if data["label"][i] == label][:5]:
            teach(reader, str(data["path"][i]), CLASSES[label])
    paths = [str(p) for p in data["path"][mine][-photos:]]
    out = {}
    for name, read in [("ensemble", classify_hand), ("personal", lambda p: classify_personal(p, reader=reader))]:
        read(paths[0])  # warm
        times = []
        for path in paths:
            began = time.perf_counter()
            read(path)
            times.append(1000 * (time.perf_counter() - began))
        out[name] = float(np.median(times))
    return out


# ---------------------------------------------------------------- the report

def summary(rows: list[dict], role: str, k: int = max(KS)) -> dict:
    mine = [r for r in rows if r["role"] == role]
    worst = min(mine, key=lambda r: r[k])
    return {"people": len(mine), "mean": np.mean([r[k] for r in mine]), "worst": worst[k], "who": worst["person"],
            "shipped_mean": np.mean([r[f"shipped{k}"] for r in mine]),
            "shipped_worst": min(r[f"shipped{k}"] for r in mine),
            "worse": sum(r[k] < r[f"shipped{k}"] - 1e-9 for r in mine)}


def person_lines(rows: list[dict]) -> list[str]:
    lines = ["| role | person | photos (rock / paper / scissors) | shipped | k = 1 | k = 3 | k = 5 | k = 5 vs shipped |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        counts = " / ".join(str(c) for c in row["per_class"])
        change = 100 * (row[5] - row["shipped5"])
        lines.append(f"| {row['role']} | {row['person']} | {row['photos']} ({counts}) | {row['shipped5']:.3f} | "
                     + " | ".join(f"{row[k]:.3f}" for k in KS) + f" | {change:+.1f} points |")
    return lines


def summary_lines(rows: list[dict]) -> list[str]:
    lines = ["| role | people | shipped: mean / worst | taught k = 5: mean / worst | people worse than shipped |",
             "|---|---|---|---|---|"]
    for role in ROLES:
        if any(r["role"] == role for r in rows):
            s = summary(rows, role)
            lines.append(f"| {role} | {s['people']} | {s['shipped_mean']:.3f} / {s['shipped_worst']:.3f} | "
                         f"**{s['mean']:.3f} / {s['worst']:.3f}** ({s['who']}) | **{s['worse']}** |")
    return lines


def gesture_lines(gesture_rows: list[dict]) -> list[str]:
    lines = ["| hidden gesture | role | new gesture read right (mean / worst person) | others, taught all | others, shipped |",
             "|---|---|---|---|---|"]
    for g in gesture_rows:
        for role, values in g["per_role"].items():
            if values["new"]:
                lines.append(f"| {g['hidden']} | {role} | {np.mean(values['new']):.3f} / {min(values['new']):.3f} | "
                             f"{np.mean(values['others']):.3f} | {np.mean(values['shipped']):.3f} |")
    return lines


def family_section(family_rows: list[dict]) -> list[str]:
    """The reader on the same people's hard photos (`--families`): each family of a person counts as a person."""
    if not family_rows:
        return []
    return ["## Hard photos of the same people (`--families`)", "",
            "Each rps.people_families family of a person (cut, close-up, blur, dim, heavy JPEG, turned, 224 px) counts "
            "as a person of its own: k photos of each gesture taught from that family, the rest of it read. The train "
            "people have no families here (the models learned from them).", "",
            *summary_lines(family_rows), "", *person_lines(family_rows), ""]


def markdown(rows, gesture_rows, evidence, args, seconds: float, load: str, times: dict[str, float],
             family_rows: list[dict] = ()) -> str:
    from rps import personal

    return "\n".join([
        "# Personal reader: a few taught photos per person (real people, rps.people)", "",
        f"Written by `python -m benchmarks.personal_rps --draws {args.draws} --seed {args.seed}"
        f"{' --families' if args.families else ''}` on "
        f"{datetime.date.today()} in {seconds:.0f} s (load average {load}).", "",
        "**People** (rps.people's split, fixed before any result): those with more than 5 pictures with a hand of "
        "every gesture: SubhiH recording sessions and the meyasl webcam person. The sldd students have one photo "
        "per gesture, so they can't be taught 5. Photos with no hand found are left out (the app says \"no hand\" "
        "whatever was taught). A SubhiH source picture, or a run of "
        f"{FRAME_RUN} consecutive webcam frames, is taught or read as a whole.", "",
        f"Teach k photos per gesture (random pictures), read the rest of that person's photos; mean over "
        f"{args.draws} draws. *shipped*: the default ensemble on the same photos (masking on).", "",
        *summary_lines(rows), "",
        "Targets (validation people, k = 5): mean ≥ 0.99, worst person ≥ 0.97, nobody worse than shipped.", "",
        *person_lines(rows), "",
        f"Reader constants (rps/personal.py): LANDMARK_WEIGHT {personal.LANDMARK_WEIGHT}, MARGIN {personal.MARGIN}, "
        f"NEW_GESTURE_MARGIN {personal.NEW_GESTURE_MARGIN}, "
        f"WIDTH {personal.WIDTH}, FLOOR {personal.FLOOR}, TRUST_HALF {personal.TRUST_HALF}, SCALE {personal.SCALE}.",
        "", "## What MARGIN is chosen from (train and tune people, k = 5, distances alone)", "",
        f"{evidence['reads']} reads; the nearest examples were of a wrong gesture {evidence['wrong']} times, and then "
        f"at least {evidence['wrong_ratio_min']:.2f} times the right gesture's distance (only a little nearer). "
        f"19 of 20 right reads had the right examples at least {evidence['right_q05']:.2f} times nearer than any "
        f"other gesture's: 1 / that = {1 / evidence['right_q05']:.2f}, the margin by which taught examples may "
        "overrule the shipped answer.", "",
        "## A taught new gesture", "",
        "Each real gesture in turn is hidden from the shipped model (probability 0, the other two renormalised) "
        "and taught under a new name with k = 5 photos per gesture. *others, taught all*: the other two gestures "
        "read by that reader; *others, shipped*: the shipped ensemble knowing all three.", "",
        *gesture_lines(gesture_rows), "",
        *family_section(list(family_rows)),
        "## Cost", "",
        f"Median time per photo in-process (MediaPipe + models, from the file; 20 photos): shipped ensemble "
        f"{times['ensemble']:.0f} ms, personal with 15 examples {times['personal']:.0f} ms (one more "
        f"EfficientNet-Lite0 pass for the embedding, and the distances). Load average: {load}.", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the personal rock/paper/scissors reader per person.")
    parser.add_argument("--cache", default=str(PEOPLE_CACHE), help="people cache from `python -m rps.people cache`")
    parser.add_argument("--draws", type=int, default=10, help="random choices of taught photos per person and k")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--refresh", action="store_true", help="recompute the features cache")
    parser.add_argument("--no-timing", action="store_true", help="skip the timing (and the new-gesture table)")
    parser.add_argument("--families", action="store_true", help="also read each person's rps.people_families "
                        "families as people of their own (python -m rps.people_families first)")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    began = time.perf_counter()
    data = load_features(Path(args.cache), args.refresh)
    people = usable_people(data)
    rows = per_person(data, people, args.draws, args.seed)
    print("\n".join(summary_lines(rows) + [""] + person_lines(rows)), flush=True)
    evidence = margin_evidence(data, people, args.draws, args.seed)
    print(evidence, flush=True)
    family_rows = []
    if args.families:
        family_data = load_features(Path(args.cache), args.refresh, families=True)
        family_rows = per_person(family_data, usable_people(family_data), args.draws, args.seed)
        print("\n".join(family_section(family_rows)), flush=True)
    if args.no_timing:
        return
    gesture_rows = new_gesture(data, people, args.draws, args.seed)
    times = timing(data)
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1].strip()
    text = markdown(rows, gesture_rows, evidence, args, time.perf_counter() - began, load, times, family_rows)
    Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()

"""Time training every shipped model from scratch, with the README's commands, one after another.

Each step runs as its own process with nothing else on the machine (run this on a quiet machine: the
targets are per model on 2 cores). Caches and checkpoints go to a temporary folder, so nothing cached
earlier is reused and checkpoints/ is not touched. The MediaPipe landmark cache is made once and shared
by the three rps models (its minutes are added to each model's total); each rps model makes its own
augmented crops and trunk features. The accuracy each retrained model reaches is reported beside the
shipped one's.

    python -m benchmarks.train_times                               # everything, about an hour
    python -m benchmarks.train_times --only rps                    # the rock/paper/scissors steps
    python -m benchmarks.train_times --only mnist_cnn --out benchmarks/results/train_times_mnist.md  # one step

Writes benchmarks/results/train_times.md (or --out); each step's output goes to runs/train_times/<step>.log.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common.paths import SHARED_DATA

ROOT = Path(__file__).resolve().parents[1]
MNIST = str(SHARED_DATA / "mnist")

CNN_MEMBER = ("-m mnist.train --model cnn --epochs 8 --seed {seed} --threads 1 --pen-writers train --pen-style mixed"
              " --pen-variants 3 --clean-epochs 1 --one-flags 0.5 --crossed-sevens 0.3 --uji2-variants 6"
              " --data-dir {{mnist}} --out {{tmp}}/mnist_cnn_s{seed}")
# Steps that finish with one more command (its minutes count towards the step).
THEN = {"mnist_cnn": "-m mnist.average {tmp}/mnist_cnn_s1 {tmp}/mnist_cnn_s2 --data-dir {mnist} --out {tmp}/mnist_cnn"}

# (step, the README's command, or commands run side by side, how the retrained model's accuracy is read from its card)
STEPS = [
    # The shipped cnn: two seeds side by side (one core each), then packed into one averaged checkpoint.
    ("mnist_cnn", [CNN_MEMBER.format(seed=1), CNN_MEMBER.format(seed=2)],
     ("mnist_test_accuracy", "MNIST test")),
    ("mnist_lenet5", "-m mnist.train --model lenet5 --epochs 8 --threads 1 --pen-writers train --data-dir {mnist}"
                     " --out {tmp}/mnist_lenet5", ("mnist_test_accuracy", "MNIST test")),
    ("rps_cache", "-m rps.cache --out {tmp}/rps_landmarks.npz", None),
    ("rps_people", "-m rps.people cache --out {tmp}/rps_people.npz", None),
    ("rps_landmarks", "-m rps.train --model landmarks --epochs 10 --lr 0.003 --batch-size 128 --threads 1"
                      " --cache {tmp}/rps_landmarks.npz --people-cache {tmp}/rps_people.npz"
                      " --work-dir {tmp}/rps_landmarks --out {tmp}/rps_landmarks",
     ("tune_people_accuracy", "tune people, hands found")),
    ("rps_lenet", "-m rps.train --model lenet --epochs 6 --lr 0.003 --threads 1"
                  " --cache {tmp}/rps_landmarks.npz --work-dir {tmp}/rps_lenet --out {tmp}/rps_lenet",
     ("subhih_accuracy", "SubhiH")),
    ("rps_efficientnet_lite0", "-m rps.train --model efficientnet_lite0 --epochs 4 --lr 0.002 --freeze-stages 6 --threads 1"
                               " --cache {tmp}/rps_landmarks.npz --people-cache {tmp}/rps_people.npz"
                               " --work-dir {tmp}/rps_efficientnet_lite0 --out {tmp}/rps_efficientnet_lite0",
     ("tune_people_accuracy", "tune people")),
]


def wanted(step: str, only: list[str]) -> bool:
    if not only:
        return True
    # The rps models need the landmark cache, so asking for any of them runs that step too.
    needs_cache = step == "rps_cache" and any(o.startswith("rps") for o in only)
    return needs_cache or any(step == o or step.startswith(o + "_") for o in only)


def run_step(name: str, command: str | list[str], folder: Path, log_folder: Path) -> float:
    """Run one step (a list of commands runs side by side) and return its wall-clock seconds."""
    commands = command if isinstance(command, list) else [command]
    began = time.perf_counter()
    processes = []
    with contextlib.ExitStack() as logs:
        for i, each in enumerate(commands):
            args = each.format(tmp=folder, mnist=MNIST).split()
            log = log_folder / (f"{name}.log" if len(commands) == 1 else f"{name}_{i + 1}.log")
            print(f"{name}: python {' '.join(args)}", flush=True)
            out = logs.enter_context(open(log, "w"))
            processes.append((subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=out,
                                               stderr=subprocess.STDOUT), log))
        for process, log in processes:
            if process.wait() != 0:
                raise SystemExit(f"{name} failed (exit {process.returncode}); see {log}")
    if name in THEN:
        run_step(f"{name}_then", THEN[name], folder, log_folder)
    seconds = time.perf_counter() - began
    print(f"{name}: {seconds / 60:.1f} min", flush=True)
    return seconds


def card_metric(path: Path, key: str) -> float | None:
    if not path.exists():
        return None
    return json.loads(path.read_text())["metrics"].get(key)


def report(rows: list[tuple], started: str, command: str) -> str:
    lines = [f"# Training time of every shipped model, from scratch ({started}, {os.cpu_count()} CPU cores)", "",
             f"Command: `{command}`. Each step in its own process, one after another, with",
             "empty caches; `mnist_cnn` is the shipped recipe's two seeds side by side (one core each), then",
             "`mnist.average`. The rps models also need the MediaPipe landmark cache (`rps_cache`), made once for",
             "all three; *from nothing* adds its minutes to each.", "",
             "| step | minutes | from nothing | accuracy of this run | shipped model | measured on |",
             "|---|---|---|---|---|---|"]
    cache_seconds = sum(seconds for name, seconds, *_ in rows if name == "rps_cache")
    for name, seconds, retrained, shipped, measure in rows:
        cells = [f"{v:.4f}" if isinstance(v, float) else "" for v in (retrained, shipped)]
        total = seconds + cache_seconds if name.startswith("rps_") and name != "rps_cache" else seconds
        lines.append(f"| {name} | {seconds / 60:.1f} | {total / 60:.1f} | {cells[0]} | {cells[1]} | {measure} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=[], help="steps (or prefixes: mnist, rps) to run")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "train_times.md"))
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    logs = ROOT / "runs" / "train_times"   # kept after the run (git-ignored), to read when a step fails
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="train_times_") as folder:
        folder = Path(folder)
        for name, command, metric in STEPS:
            if not wanted(name, args.only):
                continue
            seconds = run_step(name, command, folder, logs)
            retrained = shipped = measure = None
            if metric:
                key, measure = metric
                retrained = card_metric(folder / f"{name}.json", key)
                shipped = card_metric(ROOT / "checkpoints" / f"{name}.json", key)
            rows.append((name, seconds, retrained, shipped, measure or ""))
    text = report(rows, started, " ".join(["python -m benchmarks.train_times", *sys.argv[1:]]))
    print(text)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()

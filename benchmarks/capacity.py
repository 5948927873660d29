"""How many visitors of each kind one app process serves within the targets, ramped step by step; and the
throughput of 1 replica on 1 core against 2 replicas on 2 cores behind nginx.

Black-box: the app runs as its own process (`python -m benchmarks.bench_app`, i.e. app.py's page) on a free
loopback port, and every visitor is a thread speaking the page's protocol over real HTTP (benchmarks/visitors.py).

Capacity (default): for each kind, steps of 1, 2, 4 ... visitors, each step `--seconds` long; a step passes when
    live      every live player gets >= 10 answers a second
    photo, drawer, teacher   the p95 of a read (upload + event, as the person waits) <= 1 s
    and there are 0 errors. The capacity of a kind is its last passing step; the ramp of a kind stops at its
    first failing step. Visitors of the three reading kinds think `--think` seconds between reads.

Throughput (--throughput): closed-loop users (photo and drawer reads back to back, no thinking) for `--seconds`
against `--replicas` copies behind nginx (deploy/replicas.py), pinned with taskset to `--cores`.

    python -m benchmarks.capacity                                  # -> benchmarks/results/capacity.md
    python -m benchmarks.capacity --kinds live --steps 1 2 4 --seconds 15 --out /tmp/c.md
    python -m benchmarks.capacity --throughput --replicas 1 --cores 0 --users 8
    python -m benchmarks.capacity --throughput --replicas 2 --cores 0 1 --users 8

The machine's load average is written beside every step: on a shared machine the figures are lower than on a
quiet one.
"""
from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_app import free_port
from benchmarks.load import percentile, start_server
from benchmarks.page_client import PageVisitor
from benchmarks.visitors import KINDS, TURNS, LiveStream, load_inputs

ROOT = Path(__file__).resolve().parents[1]
LIVE_TARGET = 10.0      # answers a second, each live player
P95_TARGET = 1.0        # seconds, a read
DEFAULT_STEPS = {"live": [1, 2, 4, 6, 8, 10], "photo": [1, 2, 4, 8, 16, 32], "drawer": [1, 2, 4, 8, 16, 32, 64],
                 "teacher": [1, 2, 4, 8, 16, 32]}


@dataclass
class Step:
    kind: str
    visitors: int
    seconds: float
    waits: list[float] = field(default_factory=list)       # reads, seconds
    live_rates: list[float] = field(default_factory=list)  # answers a second, each live player
    errors: list[str] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)

    @property
    def passed(self) -> bool:
        if self.errors:
            return False
        if self.kind == "live":
            return bool(self.live_rates) and min(self.live_rates) >= LIVE_TARGET
        return bool(self.waits) and percentile(self.waits, 0.95) <= P95_TARGET

    def row(self) -> str:
        load = f"{self.load[0]:.1f} → {self.load[1]:.1f}"
        verdict = "**pass**" if self.passed else "fail"
        if self.kind == "live":
            rates = self.live_rates or [0.0]
            return (f"| {self.kind} | {self.visitors} | {min(rates):.1f} / {statistics.median(rates):.1f} answers/s "
                    f"| - | {len(self.errors)} | {load} | {verdict} |")
        if not self.waits:
            return f"| {self.kind} | {self.visitors} | 0 reads | - | {len(self.errors)} | {load} | {verdict} |"
        return (f"| {self.kind} | {self.visitors} | {len(self.waits) / self.seconds:.2f} reads/s | "
                f"{percentile(self.waits, 0.5):.2f} / **{percentile(self.waits, 0.95):.2f} s** | {len(self.errors)} | "
                f"{load} | {verdict} |")


# ------------------------------------------------------------------------------------------------ visitors
def reading_visitor(base: str, kind: str, inputs, step: Step, stop: threading.Event, think: float, seed: int):
    """Open the page, then read (upload + event) every `think` s (+-50 %, so visitors do not march in step)."""
    rng = random.Random(seed)
    visitor = PageVisitor(base)
    try:
        visitor.open_page()
        stop.wait(rng.uniform(0, think))
        while not stop.is_set():
            try:
                step.waits += TURNS[kind](visitor, inputs, rng)
            except Exception as exc:  # every failure counts, with its message
                step.errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
            stop.wait(think * rng.uniform(0.5, 1.5))
    finally:
        visitor.close()


def live_visitor(base: str, inputs, step: Step, stop: threading.Event, seconds: float):
    visitor = PageVisitor(base)
    try:
        visitor.open_page()
        stream = LiveStream(visitor, inputs)
        stream.run(seconds, stop)
        step.live_rates.append(stream.answers_per_second)
        step.errors += stream.errors
    except Exception as exc:
        step.errors.append(f"{type(exc).__name__}: {str(exc)[:160]}")
    finally:
        visitor.close()


def run_step(base: str, kind: str, visitors: int, seconds: float, inputs, args) -> Step:
    step = Step(kind, visitors, seconds)
    stop = threading.Event()
    if kind == "live":
        threads = [threading.Thread(target=live_visitor, args=(base, inputs, step, stop, seconds))
                   for _ in range(visitors)]
    else:
        threads = [threading.Thread(target=reading_visitor,
                                    args=(base, kind, inputs, step, stop, args.think, 1000 * visitors + k))
                   for k in range(visitors)]
    load_before = os.getloadavg()[0]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    step.load = (load_before, os.getloadavg()[0])
    print(step.row(), flush=True)
    return step


# ------------------------------------------------------------------------------------------------ runs
def capacity(args, inputs) -> str:
    port = free_port()
    server = start_server(port, Path(tempfile.gettempdir()) / f"capacity_server_{port}.log")
    base = f"http://127.0.0.1:{port}/"
    results: dict[str, list[Step]] = {}
    try:
        warm = PageVisitor(base)
        warm.open_page()
        for kind in ("photo", "drawer", "teacher"):  # the first reads load the models; not counted
            TURNS[kind](warm, inputs, random.Random(0))
        warm.close()
        for kind in args.kinds:
            results[kind] = []
            for count in args.steps or DEFAULT_STEPS[kind]:
                step = run_step(base, kind, count, args.seconds, inputs, args)
                results[kind].append(step)
                if not step.passed:
                    break
                time.sleep(2)  # the queue drains between steps
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = [*header(args, inputs, "Capacity of one app process, per kind of visitor"),
             f"Targets: live players >= {LIVE_TARGET:g} answers a second each; reads p95 <= {P95_TARGET:g} s (upload + "
             f"event, as the person waits); 0 errors. Reading visitors think {args.think:g} s (±50 %) between reads; "
             f"live players send the landmarks of the page's camera (benchmarks/visitors.py).", "",
             "| kind | capacity (visitors within the targets) |", "|---|---|"]
    for kind, steps in results.items():
        passing = [s.visitors for s in steps if s.passed]
        lines.append(f"| {kind} | **{max(passing) if passing else 0}** |")
    lines += ["", "| kind | visitors | rate (live: min / median each) | read p50 / p95 | errors | load average | "
              "verdict |", "|---|---|---|---|---|---|---|"]
    lines += [step.row() for steps in results.values() for step in steps]
    lines += error_lines([step for steps in results.values() for step in steps])
    return "\n".join(lines) + "\n"


def throughput(args, inputs) -> str:
    from deploy.replicas import Replicas
    with Replicas(count=args.replicas, port=free_port(), cores=args.cores, app_command=["-m", "benchmarks.bench_app"]) \
            as replicas:
        warm = PageVisitor(replicas.url)
        for _ in range(4 * args.replicas):  # new visitors until each replica has loaded its models
            warm = PageVisitor(replicas.url)
            warm.open_page()
            for kind in ("photo", "drawer"):
                TURNS[kind](warm, inputs, random.Random(0))
            warm.close()
        step = Step("mixed", args.users, args.seconds)
        stop = threading.Event()
        threads = [threading.Thread(target=reading_visitor, args=(replicas.url, ("photo", "drawer")[k % 2], inputs,
                                                                   step, stop, 0.0, k)) for k in range(args.users)]
        load_before = os.getloadavg()[0]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        wall = time.monotonic() - began
        step.load = (load_before, os.getloadavg()[0])
    cores = " ".join(map(str, args.cores)) if args.cores else "any"
    waits = step.waits or [float("nan")]
    lines = [*header(args, inputs, f"Throughput: {args.replicas} replica(s) behind nginx, cores {cores}"),
             f"{args.users} closed-loop users (half photo reads, half drawing reads, back to back) for "
             f"{args.seconds:g} s through nginx (deploy/replicas.py, sticky cookie), each replica pinned with taskset.",
             "", "| replicas | cores | reads | reads/s | p50 / p95 s | errors | load average |", "|---|---|---|---|---|---|---|",
             f"| {args.replicas} | {cores} | {len(step.waits)} | **{len(step.waits) / wall:.2f}** | "
             f"{percentile(waits, 0.5):.2f} / {percentile(waits, 0.95):.2f} | {len(step.errors)} | "
             f"{step.load[0]:.1f} → {step.load[1]:.1f} |"]
    lines += error_lines([step])
    return "\n".join(lines) + "\n"


def header(args, inputs, title: str) -> list[str]:
    command = "python -m benchmarks.capacity " + " ".join(sys.argv[1:])
    return [f"# {title}", "", f"- Command: `{command.strip()}`",
            f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPU cores "
            f"shared with other work (see the load averages: the figures are noisy and below a quiet machine's)",
            f"- Inputs: {inputs.note}", ""]


def error_lines(steps: list[Step]) -> list[str]:
    errors = Counter(error for step in steps for error in step.errors)
    if not errors:
        return ["", "Errors: none."]
    return ["", "Errors (count, message):", ""] + [f"- {n} x {message}" for message, n in errors.most_common(8)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="kinds of visitor to ramp")
    parser.add_argument("--steps", type=int, nargs="+", default=None,
                        help="visitor counts to try, for every kind (default: per kind, 1 2 4 ...)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each step (default 20)")
    parser.add_argument("--think", type=float, default=3.0, help="seconds a reading visitor waits between reads")
    parser.add_argument("--throughput", action="store_true", help="measure closed-loop throughput through nginx")
    parser.add_argument("--replicas", type=int, default=1, help="--throughput: app copies behind nginx")
    parser.add_argument("--cores", type=int, nargs="+", default=None, help="--throughput: taskset cores, one a replica")
    parser.add_argument("--users", type=int, default=8, help="--throughput: closed-loop users")
    parser.add_argument("--out", default=None, help="markdown report (default benchmarks/results/capacity.md, or "
                                                    "capacity_throughput_<N>.md with --throughput)")
    args = parser.parse_args()
    live = "live" in args.kinds and not args.throughput
    with tempfile.TemporaryDirectory() as folder:
        inputs = load_inputs(Path(folder), live=live)
        text = throughput(args, inputs) if args.throughput else capacity(args, inputs)
    print(text)
    default = f"capacity_throughput_{args.replicas}.md" if args.throughput else "capacity.md"
    out = Path(args.out or ROOT / "benchmarks" / "results" / default)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print("wrote", out)


if __name__ == "__main__":
    main()

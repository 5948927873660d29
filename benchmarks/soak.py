"""Soak: a mixed crowd coming and going for many minutes; the server's memory must stay flat and nothing fail.

    python -m benchmarks.soak                        # 20 minutes -> benchmarks/results/soak.md
    python -m benchmarks.soak --minutes 3 --out /tmp/soak.md
    python -m benchmarks.soak --minutes 3 --tracemalloc     # also: which lines allocated what grew (slower)

The app runs as its own process (`python -m benchmarks.soak --serve`: app.py's page, launched as app.py does,
plus a thread that writes the size of every per-visitor store every 10 s). `--visitors` slots each admit one
visitor at a time, of a random kind (benchmarks/visitors.py: live, photo, drawer, teacher); a visitor opens the
page, reads a few times with pauses (or plays the camera 10-30 s) and leaves, and a new one (a new session)
takes the slot. The server's RSS is sampled every 2 s.

Pass: RSS growth over the second half < 50 MB (median of the last minute minus the median of the minute around
the midpoint: single samples jump with the allocator) and 0 errors. The stores' sizes over time show each one
released: Gradio sessions (ui/sessions.py drops them after SESSION_IDLE_SECONDS; the soak sets `--session-idle`
so that several expiries happen within the run), session State values (time_to_live), the camera's held gestures
(ui/camera.py), Gradio's per-session queue bookkeeping and its upload cache.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchmarks.bench_app import free_port, wait_for_port
from benchmarks.load import RssSampler, rss_mb
from benchmarks.page_client import PageVisitor
from benchmarks.visitors import TURNS, LiveStream, load_inputs

ROOT = Path(__file__).resolve().parents[1]
GROWTH_LIMIT_MB = 50
WEIGHTS = {"live": 2, "photo": 3, "drawer": 3, "teacher": 2}
STATS_EVERY = 10.0


# ------------------------------------------------------------------------------------------------ the server
def store_sizes(demo) -> dict:
    """How much each per-visitor store holds now (read from the serving process)."""
    import ui.camera
    holder = getattr(demo, "state_holder", None)
    sessions = holder.session_data if holder is not None else {}
    queue = demo._queue
    upload_dir = Path(os.environ.get("GRADIO_TEMP_DIR", Path(tempfile.gettempdir()) / "gradio"))
    return {"sessions": len(sessions),
            "state_values": sum(len(s.state_data) for s in list(sessions.values())),
            "live_cameras": len(ui.camera.HELD),
            "queue_sessions": len(getattr(queue, "pending_messages_per_session", {})),
            "queue_event_ids": sum(len(v) for v in getattr(queue, "pending_event_ids_session", {}).values()),
            "upload_files": sum(1 for p in upload_dir.rglob("*") if p.is_file()) if upload_dir.exists() else 0}


def write_stats(demo, path: Path, trace: bool) -> None:
    import tracemalloc
    baseline = None
    began = time.monotonic()
    while True:
        time.sleep(STATS_EVERY)
        row = {"t": time.monotonic() - began, "rss_mb": rss_mb(os.getpid()), **store_sizes(demo)}
        if trace:
            snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
            if baseline is None or os.path.exists(str(path) + ".rebase"):
                baseline = snapshot  # the client asks for a new baseline at the midpoint
                Path(str(path) + ".rebase").unlink(missing_ok=True)
            row["grew"] = [f"{s.size_diff / 2**20:+.1f} MB {s.count_diff:+d} blocks {s.traceback}"
                           for s in snapshot.compare_to(baseline, "lineno")[:12]]
        with open(path, "a") as out:
            out.write(json.dumps(row) + "\n")


def serve(stats: Path, trace: bool) -> None:
    if trace:
        import tracemalloc
        tracemalloc.start(1)
    import app
    threading.Thread(target=write_stats, args=(app.demo, stats, trace), daemon=True).start()
    app.warm_up()
    app.demo.launch(max_file_size=app.MAX_UPLOAD, server_name="127.0.0.1")


def start_server(port: int, stats: Path, folder: Path, args) -> subprocess.Popen:
    env = dict(os.environ, GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1",
               SESSION_IDLE_SECONDS=str(args.session_idle), GRADIO_TEMP_DIR=str(folder / "gradio"))
    command = [sys.executable, "-m", "benchmarks.soak", "--serve", "--stats", str(stats)]
    if args.tracemalloc:
        command.append("--tracemalloc")
    log = open(folder / "server.log", "w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    if not wait_for_port(port, server, timeout=240):
        server.terminate()
        raise RuntimeError(f"the app did not start; see {folder / 'server.log'}")
    return server


# ------------------------------------------------------------------------------------------------ the crowd
class Crowd:
    def __init__(self, base: str, inputs, seed: int):
        self.base, self.inputs = base, inputs
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.visits = Counter()
        self.reads = 0

    def pick(self) -> tuple[str, int]:
        with self.lock:
            kind = self.rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
            return kind, self.rng.randrange(1 << 30)

    def visit(self, stop: threading.Event) -> None:
        """One visitor, from opening the page to leaving."""
        kind, seed = self.pick()
        rng = random.Random(seed)
        visitor = PageVisitor(self.base)
        try:
            visitor.open_page()
            if kind == "live":
                stream = LiveStream(visitor, self.inputs)
                stream.run(rng.uniform(10, 30), stop)
                self.errors += stream.errors
            else:
                for _ in range(rng.randint(3, 8)):
                    if stop.is_set():
                        break
                    self.reads += len(TURNS[kind](visitor, self.inputs, rng))
                    stop.wait(rng.uniform(1, 4))
            self.visits[kind] += 1
        except Exception as exc:  # every failure counts, with its message
            self.errors.append(f"{kind}: {type(exc).__name__}: {str(exc)[:160]}")
        finally:
            visitor.close()

    def slot(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.visit(stop)


def warm_up(base: str, inputs) -> None:
    """Every path once before the clock starts: first uses load models and import modules (tens of MB, once)."""
    visitor = PageVisitor(base)
    visitor.open_page()
    rng = random.Random(0)
    for kind in ("photo", "drawer", "teacher", "teacher", "teacher"):  # the third teaching reads "personal"
        TURNS[kind](visitor, inputs, rng)
    LiveStream(visitor, inputs).run(5)
    visitor.close()


def window_median(samples: list[tuple[float, float]], start: float, end: float) -> float:
    values = [mb for moment, mb in samples if start <= moment <= end]
    return statistics.median(values) if values else float("nan")


def run(args) -> str:
    folder = Path(tempfile.mkdtemp(prefix="soak_"))
    stats = folder / "stats.jsonl"
    port = free_port()
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    server = start_server(port, stats, folder, args)
    crowd = None
    try:
        inputs = load_inputs(folder, live=True)
        base = f"http://127.0.0.1:{port}/"
        warm_up(base, inputs)
        crowd = Crowd(base, inputs, args.seed)
        sampler = RssSampler(server.pid, every=2.0)
        sampler.start()
        stop = threading.Event()
        began = time.monotonic()
        slots = [threading.Thread(target=crowd.slot, args=(stop,), daemon=True) for _ in range(args.visitors)]
        for thread in slots:
            thread.start()
            time.sleep(0.5)
        seconds = args.minutes * 60
        stop.wait(seconds / 2)
        (Path(str(stats) + ".rebase")).touch()  # tracemalloc: compare the second half against the midpoint
        stop.wait(seconds / 2)
        stop.set()
        for thread in slots:
            thread.join(timeout=60)
        ended = time.monotonic()
        sampler.stopped.set()
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = [json.loads(line) for line in stats.read_text().splitlines()] if stats.exists() else []
    return report(args, crowd, sampler, rows, began, ended, load_before, started, folder)


def report(args, crowd, sampler, rows, began, ended, load_before, started, folder) -> str:
    middle = (began + ended) / 2
    minute = min(60.0, (ended - began) / 6)
    mid = window_median(sampler.samples, middle - minute / 2, middle + minute / 2)
    end = window_median(sampler.samples, ended - minute, ended)
    growth = end - mid
    raw = sampler.at(ended) - sampler.at(middle)
    passed = growth < GROWTH_LIMIT_MB and not crowd.errors
    command = "python -m benchmarks.soak " + " ".join(sys.argv[1:])
    lines = [f"# Soak: {args.minutes:g} minutes of visitors coming and going", "",
             f"- Command: `{command.strip()}`",
             f"- Date: {started:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPU cores shared with other work (load average "
             f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after)",
             f"- Crowd: {args.visitors} slots, each one visitor at a time (kinds weighted {WEIGHTS}); a reading visitor "
             f"reads 3-8 times with 1-4 s pauses, a live player streams 10-30 s; then a new visitor (new session).",
             f"- Server: app.py's page in its own process; sessions idle > {args.session_idle:g} s dropped "
             f"(SESSION_IDLE_SECONDS; the app's default is 1800 s)" + ("; tracemalloc on" if args.tracemalloc else ""),
             "",
             "| | value |", "|---|---|",
             f"| visits completed | {sum(crowd.visits.values())} ({', '.join(f'{k} {n}' for k, n in crowd.visits.items())}) |",
             f"| reads (photo, drawing, teaching) | {crowd.reads} |",
             f"| errors | **{len(crowd.errors)}** |",
             f"| RSS: first sample / midpoint / end / peak | {sampler.samples[0][1]:.0f} / {mid:.0f} / {end:.0f} / "
             f"{max(mb for _, mb in sampler.samples):.0f} MB |",
             f"| RSS growth over the second half (median of the last minute - median around the midpoint) | "
             f"**{growth:+.1f} MB** (limit < {GROWTH_LIMIT_MB} MB; single samples: {raw:+.1f} MB) |",
             f"| verdict | {'**pass**' if passed else '**FAIL**'} |", ""]
    if rows:
        keys = [k for k in rows[0] if k not in ("t", "grew")]
        lines += ["Per-visitor stores in the server over time (every tenth of the run):", "",
                  "| minute | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
        for k in range(11):
            row = rows[min(len(rows) - 1, len(rows) * k // 10)]
            lines.append(f"| {row['t'] / 60:.1f} | " + " | ".join(
                f"{row[key]:.0f}" if isinstance(row[key], float) else str(row[key]) for key in keys) + " |")
        if rows[-1].get("grew"):
            lines += ["", "What grew over the second half (tracemalloc, by line):", "", "```",
                      *rows[-1]["grew"], "```"]
    timeline = [f"{sampler.at(began + (ended - began) * k / 10):.0f}" for k in range(11)]
    lines += ["", "Server RSS (MB) at each tenth of the run: " + ", ".join(timeline) + ".",
              f"Logs and the stores' samples: {folder}."]
    if crowd.errors:
        lines += ["", "Errors (count, message):", ""]
        lines += [f"- {n} x {message}" for message, n in Counter(crowd.errors).most_common(10)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=20.0, help="length of the soak (default 20)")
    parser.add_argument("--visitors", type=int, default=8, help="visitors at once (default 8)")
    parser.add_argument("--session-idle", type=float, default=120.0,
                        help="the server drops sessions idle this long (SESSION_IDLE_SECONDS; default 120 here so "
                             "that the soak sees them released; the app's own default is 1800)")
    parser.add_argument("--tracemalloc", action="store_true", help="trace allocations in the server (slower)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "soak.md"), help="markdown report")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stats", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.stats), args.tracemalloc)
        return
    text = run(args)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print("wrote", out)


if __name__ == "__main__":
    main()

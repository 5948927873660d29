"""Load test: many concurrent gradio_client users on both endpoints, beside no-op endpoints, in one run.

Starts `python -m benchmarks.bench_app` (the app plus `noop_digit` / `noop_rps`, which take the same inputs and
return nothing, through the same server and queue) as a subprocess on a free loopback port, so the server's
memory can be sampled from /proc. Then `--users` threads, each with its own `gradio_client.Client`, take
requests from one shared, shuffled list of `--requests` calls until it is empty:

    classify_digit  a pendigits trajectory replayed on an 800 x 800 RGBA canvas, sent as the Sketchpad's value
                    {"background": None, "layers": [], "composite": <png>}
    classify_rps    a real-room hand photo (../shared/data/rps/subhih), mask on, default model
    noop_digit / noop_rps   the same inputs, no work: what Gradio itself costs under the same load

Reports errors (with their messages), throughput, p50 / p95 latency per endpoint, and the server's RSS sampled
every 0.5 s: its growth over the second half of the run must stay under 50 MB. Loopback only; bounded by
`--requests` and `--max-seconds`.

    python -m benchmarks.load                                    # 1000 requests, 16 users -> benchmarks/results/load.md
    python -m benchmarks.load --requests 200 --users 8 --out /tmp/load.md
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import queue
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.bench_app import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.paths import SHARED_DATA  # noqa: E402
from mnist.strokes import PENDIGITS, draw_digit, parse_pendigits  # noqa: E402

ENDPOINTS = ("classify_digit", "classify_rps", "noop_digit", "noop_rps")
# Share of the requests per endpoint: mostly real work, enough no-op calls for stable percentiles.
MIX = {"classify_digit": 0.35, "classify_rps": 0.35, "noop_digit": 0.15, "noop_rps": 0.15}
RSS_GROWTH_LIMIT_MB = 50


# ------------------------------------------------------------------------------------------------ the server
def start_server(port: int, log_path: Path, batched: bool = False) -> subprocess.Popen:
    env = dict(os.environ, GRADIO_SERVER_PORT=str(port), GRADIO_SERVER_NAME="127.0.0.1",
               GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
    log = open(log_path, "w")
    command = ["-m", "benchmarks.load", "--serve-batched"] if batched else ["-m", "benchmarks.bench_app"]
    server = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    if wait_for_port(port, server, timeout=120):
        return server
    if server.poll() is not None:
        raise RuntimeError(f"the bench app exited ({server.returncode}); see {log_path}")
    server.terminate()
    raise TimeoutError(f"the bench app did not open port {port} in 120 s; see {log_path}")


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its children, in MB (psutil when installed, else /proc)."""
    try:
        import psutil
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20
    except ImportError:
        pass
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 2**20


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []   # (monotonic time, MB)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.samples.append((time.monotonic(), rss_mb(self.pid)))
            self.stopped.wait(self.every)

    def at(self, moment: float) -> float:
        """The sample closest to `moment`."""
        return min(self.samples, key=lambda s: abs(s[0] - moment))[1]


def classify_digit_batched(sketches: list) -> tuple[list, list, list]:
    """classify_digit for a batch (Gradio's batch=True): preprocess each, one forward pass for all."""
    import torch

    import ui.digits
    from mnist import predict
    from mnist.preprocess import prepare_digit

    model = predict.load_model(predict.DEFAULT_MODEL)
    prepared = [prepare_digit(ui.digits.uploaded_sketch(sketch)) for sketch in sketches]
    inked = [p.tensor for p in prepared if not p.is_empty]
    with torch.inference_mode():
        rows = iter(torch.softmax(model(torch.cat(inked)), dim=1).tolist() if inked else [])
    labels, images, messages = [], [], []
    for p in prepared:
        images.append(predict.enlarge(p.image))
        if p.is_empty:
            labels.append(None)
            messages.append(predict.EMPTY_MESSAGE)
        else:
            probabilities = dict(zip(predict.CLASSES, next(rows)))
            labels.append(probabilities)
            messages.append(predict.describe(probabilities))
    return labels, messages, images


def serve_batched() -> None:
    """benchmarks.bench_app plus `classify_digit_batched` (batch=True, up to 8), same queue and workers."""
    import gradio as gr

    import app
    from benchmarks.bench_app import build_bench_demo

    bench = build_bench_demo()
    with bench:
        with gr.Row(visible=False):
            sketch = gr.Sketchpad(type="numpy")
            label, message, seen_picture = gr.Label(), gr.Markdown(), gr.State()
            button = gr.Button()
        button.click(classify_digit_batched, sketch, [label, message, seen_picture], api_name="classify_digit_batched",
                     batch=True, max_batch_size=8, preprocess=False, concurrency_limit=2, concurrency_id="models")
    bench.launch(max_file_size=app.MAX_UPLOAD)


# ------------------------------------------------------------------------------------------------ the inputs
def digit_pngs(folder: Path, count: int) -> tuple[list[Path], str]:
    """`count` different pen trajectories (file order), each replayed on an 800 x 800 transparent canvas."""
    if not PENDIGITS.exists():
        from mnist.predict import example_drawings
        examples = [Path(p) for p in example_drawings()]
        return examples, f"{len(examples)} of the app's example drawings, reused (../shared/data absent)"
    paths = []
    for index, digit in enumerate(parse_pendigits(PENDIGITS)[:count]):
        canvas = draw_digit(digit.strokes, canvas_size=800, height_fraction=0.5, brush_width=36)
        path = folder / f"digit_{index:04d}_{digit.label}.png"
        Image.fromarray(canvas, "RGBA").save(path, compress_level=1)
        paths.append(path)
    return paths, f"{len(paths)} different pendigits trajectories replayed on 800x800 RGBA canvases (brush 36 px)"


def hand_photos(seed: int) -> tuple[list[Path], str]:
    photos = sorted((SHARED_DATA / "rps" / "subhih").glob("*/*.jpg"))
    if photos:
        random.Random(seed).shuffle(photos)
        return photos, f"{len(photos)} SubhiH real-room hand photos (rock / paper / scissors), in a seeded order"
    rng = np.random.default_rng(0)
    path = Path(tempfile.gettempdir()) / "load_noise_hand.jpg"
    Image.fromarray(rng.integers(0, 255, (480, 640, 3), np.uint8)).save(path)
    return [path], "a 640x480 noise image, reused (../shared/data absent)"


# ------------------------------------------------------------------------------------------------ the users
def make_plan(requests: int, seed: int = 0) -> list[tuple[str, int]]:
    """(endpoint, input number) per request: every request of an endpoint gets the next input, so no two
    real requests send the same drawing or photo (until the inputs run out and wrap around)."""
    names = []
    for name, share in MIX.items():
        names += [name] * round(requests * share)
    names = (names + ["classify_digit"] * requests)[:requests]
    random.Random(seed).shuffle(names)
    seen = Counter()
    plan = []
    for name in names:
        plan.append((name, seen[name]))
        seen[name] += 1
    return plan


def arguments(name: str, number: int, digits: list[Path], photos: list[Path], model: str):
    from gradio_client import handle_file
    if name in ("classify_digit", "noop_digit", "classify_digit_batched"):
        return ({"background": None, "layers": [], "composite": handle_file(str(digits[number % len(digits)]))},)
    return (handle_file(str(photos[number % len(photos)])), True, model)


def user(client, work: queue.Queue, results: list, digits, photos, model: str, stop_at: float,
         same_inputs: bool = False, endpoint: dict | None = None):
    endpoint = endpoint or {}
    while time.monotonic() < stop_at:
        try:
            name, number = work.get_nowait()
        except queue.Empty:
            return
        args = arguments(name, 0 if same_inputs else number, digits, photos, model)
        began = time.monotonic()
        try:
            client.predict(*args, api_name=f"/{endpoint.get(name, name)}")
            error = None
        except Exception as exc:  # every failure is counted and reported by its message
            error = f"{type(exc).__name__}: {str(exc)[:160]}"
        results.append((name, began, time.monotonic() - began, error))


def default_rps_model(client) -> str:
    """The model classify_rps uses when a caller leaves it out (the Dropdown's default), from view_api."""
    try:
        info = client.view_api(print_info=False, return_format="dict")
        for parameter in info["named_endpoints"]["/classify_rps"]["parameters"]:
            if parameter.get("parameter_name") == "model":
                return str(parameter.get("parameter_default"))
    except Exception:
        pass
    return "?"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# ------------------------------------------------------------------------------------------------ main
def run(args) -> str:
    from gradio_client import Client

    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"load_server_{port}.log"
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    server = start_server(port, log_path, batched=args.batch_digits)
    sampler = RssSampler(server.pid)
    try:
        url = f"http://127.0.0.1:{port}/"
        with tempfile.TemporaryDirectory() as folder:
            plan = make_plan(args.requests, args.seed)
            digit_requests = sum(1 for name, _ in plan if name == "classify_digit")
            digits, digits_note = digit_pngs(Path(folder), max(digit_requests, 1) + 1)
            photos, photos_note = hand_photos(args.seed)
            clients = [Client(url, verbose=False) for _ in range(args.users)]
            model = args.rps_model or default_rps_model(clients[0])
            # Warm-up (not timed): the first calls load the models.
            for name in ENDPOINTS + (("classify_digit_batched",) if args.batch_digits else ()):
                try:
                    clients[0].predict(*arguments(name, -1, digits, photos, model), api_name=f"/{name}")
                except Exception as exc:
                    print(f"warm-up {name} failed: {exc}", file=sys.stderr)
            sampler.start()
            rss_start = rss_mb(server.pid)
            work: queue.Queue = queue.Queue()
            for request in plan:
                work.put(request)
            results: list = []
            began = time.monotonic()
            stop_at = began + args.max_seconds
            endpoint = {"classify_digit": "classify_digit_batched"} if args.batch_digits else {}
            threads = [threading.Thread(target=user, args=(client, work, results, digits, photos, model, stop_at,
                                                           args.same_inputs, endpoint))
                       for client in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            ended = time.monotonic()
            time.sleep(1.0)
            sampler.stopped.set()
            sampler.join()
            for client in clients:
                try:
                    client.close()
                except Exception:
                    pass
    finally:
        sampler.stopped.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    load_after = os.getloadavg()

    # Figures.
    wall = ended - began
    finished = sorted(began_at + seconds for _, began_at, seconds, _ in results)
    midpoint = finished[len(finished) // 2] if finished else began
    rss_mid, rss_end = sampler.at(midpoint), sampler.at(ended)
    second_half = [mb for moment, mb in sampler.samples if midpoint <= moment <= ended]
    rss_peak = max(mb for _, mb in sampler.samples)
    growth = rss_end - rss_mid
    errors = [(name, error) for name, _, _, error in results if error]
    by_name = defaultdict(list)
    for name, _, seconds, error in results:
        if not error:
            by_name[name].append(seconds * 1000)

    command = "python -m benchmarks.load " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [
        f"# Load test: {args.users} concurrent users, {len(results)} requests",
        "",
        f"- Command: `{command.strip()}` (from the project root, in .venv)",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC; gradio {version('gradio')}, gradio_client {version('gradio_client')}, "
        f"Python {platform.python_version()}",
        f"- Machine: {os.cpu_count()} CPU cores, shared with other work during the run (load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after): figures are noisy, compare the no-op rows",
        "- Server: `python -m benchmarks.bench_app` (app.py's Blocks plus no-op endpoints with the same inputs and outputs, "
        "same queue settings) in a subprocess on 127.0.0.1; each user is a thread with its own gradio_client",
        f"- Inputs: {digits_note}; {photos_note}; rps model `{model}`, mask on",
        *(["- classify_digit requests went to `classify_digit_batched` (batch=True, max_batch_size=8; same "
           "preprocessing, one forward pass per batch)"] if args.batch_digits else []),
        "- Mix: " + ", ".join(f"{name} {share:.0%}" for name, share in MIX.items()) + "; shuffled with a fixed seed; "
        + ("every request sends the SAME drawing / photo (--same-inputs)" if args.same_inputs else
           "each classify_* request sends a different drawing / photo"),
        "",
        "| | value |",
        "|---|---|",
        f"| requests completed | {len(results)} of {args.requests} |",
        f"| errors | {len(errors)} |",
        f"| wall time | {wall:.1f} s |",
        f"| throughput (all endpoints) | {len(results) / wall:.2f} req/s |",
        f"| throughput (classify_* only) | {sum(len(by_name[n]) for n in ENDPOINTS[:2]) / wall:.2f} req/s |",
        f"| server RSS at start of timed run / peak | {rss_start:.0f} MB / {rss_peak:.0f} MB |",
        f"| RSS growth over the second half (end - midpoint) | {growth:+.1f} MB "
        f"(limit < {RSS_GROWTH_LIMIT_MB} MB: {'met' if growth < RSS_GROWTH_LIMIT_MB else 'NOT met'}) |",
        f"| RSS range in the second half | {min(second_half, default=0):.0f}-{max(second_half, default=0):.0f} MB |",
        "",
        "| endpoint | ok | errors | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    error_counts = Counter(name for name, _ in errors)
    for name in ENDPOINTS:
        values = by_name[name]
        if values:
            lines.append(f"| {name} | {len(values)} | {error_counts[name]} | {percentile(values, 0.5):.0f} | "
                         f"{percentile(values, 0.95):.0f} | {max(values):.0f} |")
        else:
            lines.append(f"| {name} | 0 | {error_counts[name]} | - | - | - |")
    if errors:
        lines += ["", "Errors (count, endpoint, message):", ""]
        lines += [f"- {count} x {name}: {message}" for (name, message), count in Counter(errors).most_common(10)]
    timeline = []
    for tenth in range(0, 11):
        moment = finished[min(len(finished) - 1, len(finished) * tenth // 10)] if tenth else began
        timeline.append(f"{tenth * 10}%: {sampler.at(moment):.0f}")
    lines += ["", "Server RSS (MB) after each tenth of the requests: " + ", ".join(timeline) + "."]
    if os.environ.get("MALLOC_ARENA_MAX"):
        lines += ["", f"The server ran with MALLOC_ARENA_MAX={os.environ['MALLOC_ARENA_MAX']}."]
    lines += ["", "Latency is client-side, per request, including the file upload and waiting in Gradio's queue "
                  f"({args.users} users share 2 model workers, so much of a classify_* p50 is queueing)."]
    return "\n".join(lines) + "\n"


def version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version as get
    try:
        return get(package)
    except PackageNotFoundError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="total requests over all users (default 1000)")
    parser.add_argument("--users", type=int, default=16, help="concurrent users, one thread + Client each")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "load.md"), help="markdown report")
    parser.add_argument("--max-seconds", type=float, default=1200, help="stop sending new requests after this")
    parser.add_argument("--rps-model", default=None, help="model for classify_rps (default: the app's default)")
    parser.add_argument("--same-inputs", action="store_true",
                        help="every request sends the same drawing / photo (shows Gradio's output-cache race)")
    parser.add_argument("--batch-digits", action="store_true",
                        help="send the classify_digit share to a batch=True variant (max_batch_size=8) instead")
    parser.add_argument("--serve-batched", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.serve_batched:
        serve_batched()
        return
    text = run(args)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print("wrote", out)


if __name__ == "__main__":
    main()

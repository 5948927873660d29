"""How fast and how steady the live camera is: 1 and 4 visitors streaming a recorded clip to the real app.

    python -m benchmarks.live_stream                 # writes benchmarks/results/live_stream.md
    python -m benchmarks.live_stream --seconds 10 --visitors 1 --no-write

The app runs in this process (`app.demo.launch`); each visitor is a thread that speaks the browser's protocol, as
captured from Chromium on the real page: one `POST /gradio_api/queue/join` that starts the stream event, an SSE
connection on `/gradio_api/queue/data` that carries one answer per frame read, and a `POST /gradio_api/stream/<id>`
with the newest camera frame every `LIVE_FRAME_SECONDS` (a JPEG data URL of the 640x480 frame, quality 0.92 as
`canvas.toDataURL` makes it, twice in the body as the page sends it). The server reads the newest frame when it
is free; frames that came meanwhile are dropped. The clip (benchmarks/webcam_clip.py) plays in real time at 30
frames/s and loops: no hand, rock, paper, scissors, rock.

Each frame carries its index in a row of black/white squares in its top-left corner; the app's streaming handler
is wrapped (not replaced) to note which frame it read and when, so every answer on the SSE stream is matched to
its frame. Reported per visitor count:
  - frames read per second per visitor (target >= 10 with one visitor, >= 4 each with four);
  - latency: from the POST of a frame to its answer arriving on the SSE stream (median; target 150 ms);
  - steadiness: changes of the held gesture later than 300 ms into a segment where one gesture is held (target 0),
    and how long after a gesture change the held answer is right (median).
The load average is written beside the figures: on a shared machine they are worse than on a quiet one.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import threading
import time
import uuid
from pathlib import Path

import cv2
import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "live_stream.md"
BITS, CELL = 12, 8          # frame index stamp: 12 squares of 8 px in the top-left corner


def stamp(frame: np.ndarray, index: int) -> np.ndarray:
    out = frame.copy()
    for bit in range(BITS):
        out[0:CELL, bit * CELL:(bit + 1) * CELL] = 255 if (index >> bit) & 1 else 0
    return out


def read_stamp(frame: np.ndarray) -> int:
    cells = [frame[1:CELL - 1, bit * CELL + 1:(bit + 1) * CELL - 1].mean() for bit in range(BITS)]
    return sum(1 << bit for bit, value in enumerate(cells) if value > 127)


def data_url(frame: np.ndarray) -> str:
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
    return "data:image/jpeg;base64," + base64.b64encode(jpeg.tobytes()).decode()


class Recorder:
    """Wraps the pool's read_frame: which frame each visitor's answer came from, and the server's time on it."""

    def __init__(self, readers):
        self.log: dict[str, list[tuple[int, float, float, str | None]]] = {}
        self._inner = readers.read_frame
        readers.read_frame = self.read_frame

    def read_frame(self, visitor, rgb, mask=True):
        began = time.monotonic()
        answer = self._inner(visitor, rgb, mask=mask)
        if answer is not None:
            self.log.setdefault(visitor, []).append((read_stamp(rgb), began, time.monotonic(), answer.steady))
        return answer


def stream_event(demo, handler) -> tuple[int, int]:
    """(fn_index, trigger_id) of the event that runs `handler`."""
    for index, block_fn in demo.fns.items():
        if getattr(block_fn.fn, "__wrapped__", block_fn.fn) is getattr(handler, "__wrapped__", handler):
            return index, block_fn.targets[0][0]
    raise LookupError("the live stream event is not in the app")


class Visitor(threading.Thread):
    def __init__(self, base: str, fn_index: int, trigger: int, urls: list[str], fps: float, every: float,
                 seconds: float, start: float):
        super().__init__(daemon=True)
        self.base, self.fn_index, self.trigger, self.urls = base, fn_index, trigger, urls
        self.fps, self.every, self.seconds, self.start_at = fps, every, seconds, start
        self.session = uuid.uuid4().hex[:12]
        self.sent: dict[int, float] = {}        # frame index -> time its POST began
        self.posts = 0                          # frames sent
        self.answers: list[float] = []          # arrival times of answers on the SSE stream
        self.errors: list[str] = []

    def body(self, index: int) -> dict:
        value = {"url": self.urls[index]}
        return {"data": [value, True], "event_data": {"value": value, "is_value_data": True},
                "fn_index": self.fn_index, "trigger_id": self.trigger, "session_hash": self.session}

    def listen(self, client) -> None:
        with client.stream("GET", f"{self.base}gradio_api/queue/data", params={"session_hash": self.session},
                           timeout=None) as response:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                kind = message.get("msg")
                if kind == "process_streaming":
                    self.answers.append(time.monotonic())
                elif kind == "process_completed":
                    if not message.get("success", True):
                        self.errors.append(str(message.get("output"))[:200])
                    return

    def frame_now(self, began: float) -> int:
        return int((time.monotonic() - began) * self.fps) % len(self.urls)

    def run(self) -> None:
        import httpx

        with httpx.Client(timeout=30) as client:
            time.sleep(max(0.0, self.start_at - time.monotonic()))
            began = time.monotonic()
            index = self.frame_now(began)
            self.sent[index] = time.monotonic()
            event_id = client.post(f"{self.base}gradio_api/queue/join", json=self.body(index)).json()["event_id"]
            listener = threading.Thread(target=self.listen, args=(client,), daemon=True)  # as the page: after join
            listener.start()
            next_send = time.monotonic() + self.every
            while time.monotonic() - began < self.seconds:
                time.sleep(max(0.0, next_send - time.monotonic()))
                next_send += self.every
                index = self.frame_now(began)
                self.sent[index] = time.monotonic()
                self.posts += 1
                body = self.body(index)
                del body["trigger_id"]
                client.post(f"{self.base}gradio_api/stream/{event_id}", json=body)
            client.post(f"{self.base}gradio_api/stream/{event_id}/close")
            listener.join(timeout=10)


def steadiness(log, truth: list[str], fps: float, settle: float = 0.3):
    """(changes of the held answer later than `settle` s into a segment, flickers: changes after the right answer
    was held in a segment, switch delays: from a segment's first frame to its answer being held)."""
    segments = []   # per frame index: (segment number, time into segment)
    number, since = 0, 0
    for i, label in enumerate(truth):
        if i and label != truth[i - 1]:
            number, since = number + 1, i
        segments.append((number, (i - since) / fps))
    late_changes, flickers, delays = 0, 0, []
    previous = None
    last_segment, segment_began, found = None, None, False
    for index, began, _, steady in log:
        segment, into = segments[index]
        if segment != last_segment:
            last_segment, segment_began, found = segment, began - into, False
        if steady != previous and previous is not None and found:
            flickers += 1
        if steady != previous and previous is not None and into > settle:
            late_changes += 1
            if os.environ.get("LIVE_DEBUG"):
                print(f"late change: frame {index} ({truth[index]}, {into:.2f} s in): {previous} -> {steady}")
        wanted = truth[index]
        if not found and steady == wanted:
            delays.append(began - segment_began)
            found = True
        previous = steady
    return late_changes, flickers, delays


def measure(visitors: int, seconds: float, clip, urls, base, fn_index, trigger, recorder, every) -> dict:
    recorder.log.clear()
    start = time.monotonic() + 0.5
    crowd = [Visitor(base, fn_index, trigger, urls, clip.fps, every, seconds, start + 0.05 * k)
             for k in range(visitors)]
    load_before, cpu_before = os.getloadavg(), time.process_time()
    for visitor in crowd:
        visitor.start()
    for visitor in crowd:
        visitor.join(timeout=seconds + 60)
    load_after, cpu = os.getloadavg(), time.process_time() - cpu_before
    rates, latencies, server_ms, late, flickers, delays, errors = [], [], [], 0, 0, [], []
    for visitor in crowd:
        log = recorder.log.get(visitor.session, [])
        errors += visitor.errors
        rates.append(len(log) / seconds)
        server_ms += [(end - began) * 1000 for _, began, end, _ in log]
        for (index, _, _, _), arrived in zip(log, visitor.answers):
            if index in visitor.sent:
                latencies.append((arrived - visitor.sent[index]) * 1000)
        changes, flicker, switch = steadiness(log, clip.truth, clip.fps)
        late += changes
        flickers += flicker
        delays += switch
    read = sum(len(recorder.log.get(v.session, [])) for v in crowd)
    return {"visitors": visitors, "rate_min": min(rates), "rate_median": statistics.median(rates),
            "latency_median": statistics.median(latencies) if latencies else float("nan"),
            "latency_p90": float(np.percentile(latencies, 90)) if latencies else float("nan"),
            "server_median": statistics.median(server_ms) if server_ms else float("nan"),
            "late_changes": late, "flickers": flickers, "late_changes_per_s": late / (seconds * visitors),
            "switch_median": statistics.median(delays) * 1000 if delays else float("nan"),
            "dropped": 1 - read / max(1, sum(v.posts + 1 for v in crowd)),
            "cpu_per_frame": cpu * 1000 / max(1, read),
            "errors": errors, "load": (load_before[0], load_after[0])}


def report(results: list[dict], seconds: float, every: float, command: str) -> str:
    lines = ["# Live camera: frames read, latency and steadiness through the real app", "",
             f"{seconds:.0f} s per run; the page's frame interval {every * 1000:.0f} ms; clip 640x480 at 30 "
             "frames/s (no hand, rock, paper, scissors, rock), looped.", "",
             "| visitors | frames read / s each (min / median) | latency POST → answer, median (p90) | "
             "server time a frame, median | held-gesture changes > 300 ms into a gesture | flickers | "
             "right answer held after, median | CPU ms a frame read | frames dropped | "
             "load average (before → after) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['visitors']} | **{r['rate_min']:.1f}** / {r['rate_median']:.1f} | "
                     f"**{r['latency_median']:.0f} ms** ({r['latency_p90']:.0f} ms) | {r['server_median']:.0f} ms | "
                     f"**{r['late_changes']}** ({r['late_changes_per_s']:.2f}/s) | {r['flickers']} | "
                     f"{r['switch_median']:.0f} ms | {r['cpu_per_frame']:.0f} | {r['dropped']:.0%} | "
                     f"{r['load'][0]:.1f} → {r['load'][1]:.1f} |")
    errors = [e for r in results for e in r["errors"]]
    lines += ["", "Targets: ≥ 10 frames/s with one visitor, ≥ 4 each with four; latency median ≤ 150 ms; "
              "no held-gesture change later than 300 ms into a held gesture. *Flickers*: changes of the held answer "
              "after it was right in a segment (a wrong answer after a right one). *CPU ms a frame read*: CPU time of "
              "this whole process (server and the emulated browsers) over the frames read; 2 cores give at most "
              "2000 CPU ms a second, so 2000 / (4 x this) is what 4 visitors could get each on a quiet machine.",
              f"Errors: {errors if errors else 'none'}.", "", f"Command: `{command}` (2-core CPU)."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--visitors", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import app
    import ui.live
    from rps import predict as hands
    from benchmarks.webcam_clip import make_clip

    clip = make_clip()
    urls = [data_url(stamp(frame, i)) for i, frame in enumerate(clip.frames)]
    recorder = Recorder(ui.live.LIVE_READERS)
    hands.warm_up()
    _, base, _ = app.demo.launch(prevent_thread_lock=True, quiet=True)
    fn_index, trigger = stream_event(app.demo, ui.live.read_live_frame)
    try:
        results = [measure(v, args.seconds, clip, urls, base, fn_index, trigger, recorder, ui.live.LIVE_FRAME_SECONDS)
                   for v in args.visitors]
    finally:
        app.demo.close()
        ui.live.LIVE_READERS.close_all()
    command = "python -m benchmarks.live_stream " + f"--seconds {args.seconds:g} --visitors " + \
        " ".join(map(str, args.visitors))
    text = report(results, args.seconds, ui.live.LIVE_FRAME_SECONDS, command)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()

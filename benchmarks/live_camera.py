"""How fast and how right the tab's camera is, in Chromium with a fake webcam playing real hand photos.

    python -m benchmarks.live_camera                    # 40 s; writes benchmarks/results/live_camera.md
    python -m benchmarks.live_camera --seconds 15 --no-write

`python app.py` runs in a subprocess; headless Chromium opens the page, presses *Start the camera*, and its fake
webcam plays benchmarks/webcam_clip.py's clip (SubhiH photos of people the models never trained on, on a room,
drifting: no hand 1 s, rock, paper, scissors, rock 2 s each; 640 x 480 at 30 frames/s, looped). MediaPipe runs in
the page (WebAssembly) and the server answers the held gesture from the landmarks (ui/camera.py, rps/live.py).

Each clip frame carries its index in a row of black/white squares in its top-left corner; the script adds its own
requestVideoFrameCallback on the page's video that reads the index of every frame shown, so the page's own log
of held gestures (window.rpsCamera.shown()) is matched to what the camera showed. Reported:
  - landmarks drawn per second (the page detects and draws once per camera frame; target >= 25);
  - time from a new gesture's first frame to the page showing it held (median; target <= 300 ms);
  - gestures held right (segments whose gesture was held before the next one began), flicker (changes of the
    held answer within a segment beyond the one to its gesture) and
    gestures held without a hand (time a throw was shown held more than 300 ms into a "no hand" segment; target 0);
  - the server's CPU per visitor (its process CPU time over the run, minus its rate afterwards with the camera
    stopped; target < 5 %);
  - bytes per landmarks message (the JSON body; HTTP headers add ~0.4 KB).
The load average goes beside the figures: on a shared machine they are worse than on a quiet one.
"""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "live_camera.md"
BITS, CELL = 12, 8          # frame index stamp: 12 squares of 8 px in the top-left corner
SETTLE = 0.3                # seconds into a segment after which the held answer should be the segment's gesture
# Logs, in the page, the index stamped in every video frame shown: [performance.now(), index].
STAMP_READER_JS = """([bits, cell]) => {
    const video = document.querySelector('#rps-camera video');
    const canvas = document.createElement('canvas');
    canvas.width = bits * cell; canvas.height = cell;
    const pen = canvas.getContext('2d', { willReadFrequently: true });
    window.__frames = [];
    const read = (now) => {
        pen.drawImage(video, 0, 0, canvas.width, canvas.height, 0, 0, canvas.width, canvas.height);
        const data = pen.getImageData(0, 0, canvas.width, canvas.height).data;
        let index = 0;
        for (let bit = 0; bit < bits; bit += 1) {
            const at = ((cell >> 1) * canvas.width + bit * cell + (cell >> 1)) * 4;
            if (data[at] + data[at + 1] + data[at + 2] > 3 * 127) index |= 1 << bit;
        }
        window.__frames.push([performance.now(), index]);
        video.requestVideoFrameCallback(read);
    };
    video.requestVideoFrameCallback(read);
}"""


def stamp(frame: np.ndarray, index: int) -> np.ndarray:
    out = frame.copy()
    for bit in range(BITS):
        out[0:CELL, bit * CELL:(bit + 1) * CELL] = 255 if (index >> bit) & 1 else 0
    return out


def stamped_clip(path: Path):
    from benchmarks.webcam_clip import Clip, make_clip, write_clip_y4m

    clip = make_clip(fps=30)
    clip = Clip([stamp(frame, i) for i, frame in enumerate(clip.frames)], clip.truth, clip.fps)
    write_clip_y4m(clip, path, fps=30)
    return clip


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------------------------ the figures
def segments_shown(frames: list, truth: list[str]) -> list[tuple[float, float, str]]:
    """(start, end, gesture) in page time from the log of frames shown: a segment starts at the first frame of a
    new gesture (the clip loops, so the same gesture after the loop's seam is a new segment only if it changes)."""
    segments = []
    for t, index in frames:
        gesture = truth[index % len(truth)]
        if not segments or segments[-1][2] != gesture:
            if segments:
                segments[-1][1] = t
            segments.append([t, t, gesture])
        segments[-1][1] = t
    return [tuple(s) for s in segments]


def held_at(shown: list, t: float) -> str | None:
    answer = None
    for when, held in shown:
        if when > t:
            break
        answer = held
    return answer


def delay_parts(frames: list, replies: list, truth: list[str]) -> dict[str, list[float]]:
    """For each whole hand segment: from its first frame shown to the first frame the page sent that read as the
    new gesture ("seen"), that frame's answer arriving ("answered"), and the first answer holding it ("held")."""
    parts = {"seen": [], "answered": [], "held": [], "round trip": [r[1] - r[4] for r in replies]}
    for start, end, gesture in segments_shown(frames, truth)[1:-1]:
        if gesture == "no hand":
            continue
        mine = [r for r in replies if start <= r[0] < end]
        read = next((r for r in mine if r[2] == gesture), None)
        held = next((r for r in mine if r[3] == gesture), None)
        if read is None or held is None:
            continue
        parts["seen"].append(read[0] - start)
        parts["answered"].append(read[1] - start)
        parts["held"].append(held[1] - start)
    return parts


def score(frames: list, shown: list, truth: list[str]) -> dict:
    """Gesture -> held delays, right segments, and throws held without a hand, from the two page logs."""
    segments = segments_shown(frames, truth)[1:-1]      # whole segments only
    delays, right, without_hand, no_hand_time, flicker = [], 0, 0.0, 0.0, 0
    for start, end, gesture in segments:
        times = [t for t, held in shown if start <= t < end and held == gesture]
        # Within a segment the held answer should change once at most (to the segment's gesture); more is flicker.
        runs = itertools.groupby(held for t, held in shown if start <= t < end)
        flicker += max(0, sum(1 for _ in runs) - 1)
        if held_at(shown, start) == gesture:            # held already (a gesture repeated across the loop's seam)
            times = [start]
        if times:
            right += 1
            delays.append(times[0] - start)
        if gesture == "no hand":
            step = 0.01
            for t in np.arange(start + SETTLE * 1000, end, step * 1000):
                no_hand_time += step
                if held_at(shown, t) in ("rock", "paper", "scissors"):
                    without_hand += step
    return {"segments": len(segments), "right": right, "delays": delays,
            "without_hand": without_hand, "no_hand_time": no_hand_time, "flicker": flicker}


# ------------------------------------------------------------------------------------------------ the run
def run(seconds: float, clip_path: Path, truth: list[str]) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from browser_helpers import FAKE_CAMERA_ARGS, AppServer, launch_chromium
    from playwright.sync_api import sync_playwright

    server = AppServer(ROOT / "app.py", log_path=ROOT / "artifacts" / "live_camera-server.log")
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, [*FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={clip_path}"])
            page = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["camera"]).new_page()
            page.set_default_timeout(180_000)
            page.goto(server.url)
            page.get_by_role("tab", name="Rock / paper / scissors").click()
            page.get_by_role("button", name="Start the camera").click()
            page.wait_for_function("() => window.rpsCamera && window.rpsCamera.stats().answers > 3")
            page.evaluate(STAMP_READER_JS, [BITS, CELL])
            page.wait_for_timeout(2000)                # let the tracker settle after the first detections
            load_before = os.getloadavg()[0]
            began, cpu_began = time.monotonic(), cpu_seconds(server.pid)
            first = page.evaluate("() => [window.rpsCamera.stats(), performance.now()]")
            page.wait_for_timeout(seconds * 1000)
            last = page.evaluate("() => [window.rpsCamera.stats(), performance.now()]")
            wall, cpu = time.monotonic() - began, cpu_seconds(server.pid) - cpu_began
            frames = page.evaluate("() => window.__frames")
            shown = page.evaluate("() => window.rpsCamera.shown()")
            replies = page.evaluate("() => window.rpsCamera.replies()")
            page.screenshot(path=str(ROOT / "artifacts" / "live_camera.png"))
            # The same server, warm, with the page open and its camera stopped: what it costs without a visitor.
            page.get_by_role("button", name="Stop the camera").click()
            page.wait_for_timeout(1000)
            idle_began, idle_cpu = time.monotonic(), cpu_seconds(server.pid)
            page.wait_for_timeout(min(seconds, 15) * 1000)
            idle = (cpu_seconds(server.pid) - idle_cpu) / (time.monotonic() - idle_began)
            browser.close()
    finally:
        server.stop()
    (a, t0), (z, t1) = first, last
    window = (t1 - t0) / 1000
    start_ms = t0
    frames = [f for f in frames if f[0] >= start_ms]
    shown = [s for s in shown if s[0] <= t1]
    result = score(frames, shown, truth)
    result["parts"] = delay_parts(frames, replies, truth)
    result.update({
        "fps_drawn": (z["drawn"] - a["drawn"]) / window,
        "camera_fps": len(frames) / window,
        "detect_ms": (z["detectMs"] - a["detectMs"]) / max(1, z["drawn"] - a["drawn"]),
        "sent_per_s": (z["sent"] - a["sent"]) / window,
        "bytes": (z["bytes"] - a["bytes"]) / max(1, z["sent"] - a["sent"]),
        "answers": z["answers"] - a["answers"],
        "server_cpu": cpu / wall, "server_idle_cpu": idle, "seconds": wall,
        "load": (load_before, os.getloadavg()[0]),
    })
    return result


def median_of(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "n/a"


def report(r: dict, command: str) -> str:
    delays = r["delays"]
    median = statistics.median(delays) if delays else float("nan")
    visitor_cpu = max(0.0, r["server_cpu"] - r["server_idle_cpu"])
    lines = [
        "# The camera: landmarks in the browser, held gesture from the server",
        "",
        f"One visitor, {r['seconds']:.0f} s, Chromium (headless, software GL) with a fake webcam: "
        "benchmarks/webcam_clip.py's clip (SubhiH photos, no hand / rock / paper / scissors / rock), 640 x 480 at 30 "
        "frames/s, looped.",
        "",
        "| what | measured | target |",
        "|---|---|---|",
        f"| landmarks drawn / s (camera frames shown / s) | **{r['fps_drawn']:.1f}** ({r['camera_fps']:.1f}) | ≥ 25 |",
        f"| MediaPipe in the page, per frame | {r['detect_ms']:.0f} ms | |",
        f"| new gesture → held on the page, median (n) | **{median:.0f} ms** ({len(delays)}) | ≤ 300 ms |",
        f"| gestures held right | **{r['right']} / {r['segments']}** | all |",
        f"| flicker: held answer changes beyond the one to the segment's gesture | **{r['flicker']}** | 0 |",
        f"| a throw held without a hand (> {SETTLE * 1000:.0f} ms into a no-hand segment) | "
        f"**{r['without_hand']:.1f} s** of {r['no_hand_time']:.1f} s | 0 |",
        f"| server CPU per visitor | **{100 * visitor_cpu:.1f} %** of a core ({100 * r['server_cpu']:.1f} % with the "
        f"visitor, {100 * r['server_idle_cpu']:.1f} % with the camera stopped; "
        f"{1000 * visitor_cpu * r['seconds'] / max(1, r['answers']):.1f} ms CPU a message) | < 5 % |",
        f"| landmarks messages / s, bytes each | {r['sent_per_s']:.1f}, {r['bytes']:.0f} B | ~10, a few hundred |",
        "",
        f"Load average {r['load'][0]:.1f} → {r['load'][1]:.1f} on 2 cores shared with other work "
        "(MediaPipe in the page and the server compete for them; a quiet machine is faster).",
        f"Delays (ms): {', '.join(f'{d:.0f}' for d in delays)}.",
        "Where a new gesture's delay goes (median ms from its first frame shown): the first frame read as it sent "
        f"{median_of(r['parts']['seen'])}, its answer back {median_of(r['parts']['answered'])}, "
        f"the answer holding it {median_of(r['parts']['held'])}; a message's round trip (sent to answer on the page) "
        f"{median_of(r['parts']['round trip'])}.",
        "",
        f"Command: `{command}`.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    clip_path = ROOT / "artifacts" / "live_camera_clip.y4m"
    clip_path.parent.mkdir(parents=True, exist_ok=True)
    clip = stamped_clip(clip_path)
    result = run(args.seconds, clip_path, clip.truth)
    text = report(result, f"python -m benchmarks.live_camera --seconds {args.seconds:g}")
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()

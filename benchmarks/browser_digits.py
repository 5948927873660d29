"""Draw held-out pen digits in real Chromium, like a person, and measure what the page shows.

    python -m benchmarks.browser_digits                    # 100 digits -> benchmarks/results/browser_digits.md
    python -m benchmarks.browser_digits --count 20 --out /tmp/browser_digits.md

It starts `python app.py` on a free loopback port (tests/browser_helpers.AppServer) and drives Debian's
Chromium (headless, Playwright) on the Digits tab's drawing pad (ui/digit_pad.py). Each digit is a UCI
pendigits trajectory by one of the writers never used in training (mnist.strokes.HELD_OUT_WRITERS), ten of
each class, replayed with the mouse at a person's pace (--pace-ms per recorded pen point; the tablet recorded
one every 100 ms, so the default 50 draws twice as fast as the writers did) at a random size (digit height
35-80 % of the drawing area), a random place inside the area, and now and then another brush (thin, medium,
thick) and colour (black, blue, red), picked with the pad's own buttons. Then, as a person does: look at the
label, (maybe change the brush,) press Clear and draw the next digit straight away.

For every digit it records
- the label on the page once the page shows the answer for the drawing on the canvas (the pad's
  data-shown-version equals its data-version, and no ink is waiting to be sent: ui/static/digit_pad.js);
- *lost*: no such answer within --timeout seconds of the last mouse-up;
- *stale*: the answer belongs to another canvas. Judged independently of the page's own bookkeeping:
  "What the model saw" (the 28 x 28 the model read) is compared with the 28 x 28 that the app's
  preprocessing makes of a screenshot of the canvas as it is now, and of the previous drawing. It is stale
  when it is closer to the previous drawing, or when it does not match the canvas (cosine < 0.8);
- the time from the last mouse-up to that answer, on the page's clock;
- answers per second while drawing: answers the page put on screen between the first mouse-down and the
  last mouse-up of the digit (the pad's log), over that time.

Results go to a Markdown file with the command, the settings and the load average.
"""
from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browser_helpers import ARTIFACTS, AppServer, fit_strokes, launch_chromium, load_pen_digits  # noqa: E402
from mnist.strokes import PENDIGITS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "browser_digits.md"
VIEWPORT = {"width": 1280, "height": 900}
DEVICE_SCALE = 1
AREA = 800                        # the plan's units: the drawing area is AREA x AREA, whatever its size on screen
BRUSHES = ("Thin", "Medium", "Thick")   # the pad's brush buttons; Medium is the default
COLOURS = {"black": "#000000", "blue": "#1f4fd6", "red": "#c0392b"}
HEIGHTS = (0.35, 0.8)             # digit height, fraction of the drawing area
BRUSH_MARGIN = 40                 # area units kept free between the digit and the edge
CHANGE_EVERY = 5                  # about one brush / colour change per this many digits
MATCH = 0.8                       # cosine between what the model saw and the canvas, below it: another canvas
PACE_MS = 50                      # per recorded pen point (the tablet recorded one every 100 ms)

ANSWER_SHOWN_JS = """() => {
    const pad = document.querySelector('#digit-pad .digit-pad');
    if (!pad || pad.dataset.pending !== '0' || pad.dataset.shownVersion !== pad.dataset.version) return false;
    return document.querySelector('#digit-pad .dp-top').textContent ? Date.now() : false;
}"""


@dataclass
class Drawing:
    label: int
    writer: int
    strokes: list
    height: float        # fraction of the drawing area
    centre: tuple        # canvas px
    brush: str
    colour: str


@dataclass
class Outcome:
    drawing: Drawing
    shown: str | None    # top class on the page, None when lost
    seconds: float | None
    match_now: float     # cosine(what the model saw, this canvas)
    match_before: float  # cosine(what the model saw, the previous canvas)
    answers_per_s: float = 0.0   # answers shown while the digit was being drawn, per second
    drawing_s: float = 0.0       # first mouse-down to last mouse-up
    last_trip_s: float | None = None   # the last picture sent: sent -> its answer on the page

    @property
    def lost(self) -> bool:
        return self.shown is None

    @property
    def stale(self) -> bool:
        return not self.lost and (self.match_now < MATCH or self.match_before > self.match_now)

    @property
    def correct(self) -> bool:
        return not self.lost and not self.stale and self.shown == str(self.drawing.label)


# ------------------------------------------------------------------------------------------------ the plan
def plan_drawings(digits, count: int, seed: int, writers) -> list[Drawing]:
    """`count` held-out digits, classes balanced, each with its size, place, brush and colour."""
    rng = random.Random(seed)
    by_class = {label: [d for d in digits if d.label == label and d.writer in writers] for label in range(10)}
    chosen = []
    for i in range(count):
        chosen.append(rng.choice(by_class[i % 10]))
    rng.shuffle(chosen)
    plan, brush, colour = [], "Medium", "black"
    for i, digit in enumerate(chosen):
        if i and rng.random() < 1 / CHANGE_EVERY:
            brush = rng.choice(BRUSHES)
        if i and rng.random() < 1 / CHANGE_EVERY:
            colour = rng.choice(list(COLOURS))
        height = rng.uniform(*HEIGHTS)
        points = np.concatenate(digit.strokes)
        extent = points.max(axis=0) - points.min(axis=0)
        half = height * AREA * extent / max(float(extent.max()), 1.0) / 2 + BRUSH_MARGIN
        centre = tuple(rng.uniform(h, AREA - h) for h in half)
        plan.append(Drawing(digit.label, digit.writer, digit.strokes, height, centre, brush, colour))
    return plan


def place_strokes(drawing: Drawing) -> list[np.ndarray]:
    """The digit's strokes in area units: longer side `height` x 800, centred on `centre`."""
    fitted = fit_strokes(drawing.strokes, AREA, drawing.height)
    shift = np.asarray(drawing.centre, dtype=np.float64) - AREA / 2
    return [stroke + shift for stroke in fitted]


# ------------------------------------------------------------------------------------------------ the page
class DigitsPage:
    """The Digits tab of one open page, driven with the mouse (or touch) the way a person uses it."""

    def __init__(self, page):
        self.page = page
        self.canvas = page.locator("#digit-pad canvas.dp-canvas")
        self.brush, self.colour = "Medium", "black"
        self._cdp = None

    def area(self):
        """(left, top, scale): where the drawing area is on the page, in CSS px per area unit."""
        box = self.canvas.bounding_box()
        return box["x"], box["y"], box["width"] / AREA

    def set_brush(self, name: str) -> None:
        if name != self.brush:
            self.page.click(f"#digit-pad button.dp-brush[aria-label='{name} brush']")
            self.brush = name

    def set_colour(self, colour: str) -> None:
        if colour != self.colour:
            self.page.click(f"#digit-pad button.dp-colour[data-colour='{COLOURS[colour]}']")
            self.colour = colour

    def draw(self, strokes, pace_ms: float = PACE_MS, touch: bool = False) -> tuple[float, float]:
        """Replay strokes (area units) with the mouse, or a finger, one recorded pen point every `pace_ms`;
        the page's clock at the first press and at the last lift."""
        left, top, scale = self.area()
        began = self.page.evaluate("Date.now()")
        for stroke in strokes:
            points = np.asarray(stroke) * scale + (left, top)
            if touch:
                self.touch_stroke(points, pace_ms)
                continue
            self.page.mouse.move(*points[0])
            self.page.mouse.down()
            for x, y in points[1:]:
                self.page.mouse.move(x, y, steps=2)
                self.page.wait_for_timeout(pace_ms)
            self.page.mouse.up()
        return began, self.page.evaluate("Date.now()")

    def touch_stroke(self, points, pace_ms: float) -> None:
        """One finger stroke as Chromium's touch input (CDP Input.dispatchTouchEvent), as on a phone."""
        self._cdp = self._cdp or self.page.context.new_cdp_session(self.page)
        for i, (x, y) in enumerate(points):
            kind = "touchStart" if i == 0 else "touchMove"
            self._cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": float(x), "y": float(y)}]})
            if i:
                self.page.wait_for_timeout(pace_ms)
        self._cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    def wait_for_answer(self, timeout_s: float) -> float | None:
        """The page's clock when the answer for the canvas as it is now is on the page, or None (lost)."""
        try:
            handle = self.page.wait_for_function(ANSWER_SHOWN_JS, polling=10, timeout=timeout_s * 1000)
        except Exception as error:   # Playwright's TimeoutError
            if "Timeout" in type(error).__name__ or "Timeout" in str(error):
                return None
            raise
        return float(handle.json_value())

    def answers_between(self, began: float, ended: float) -> int:
        """How many answers the page put on screen between two moments of its clock."""
        return self.page.evaluate("([a, b]) => window.digitPad.log.filter(e => e.kind === 'shown' && e.t >= a"
                                  " && e.t <= b).length", [began, ended])

    def last_trip(self) -> float | None:
        """Seconds from sending the picture now on the canvas to its answer on the page (the pad's log)."""
        return self.page.evaluate("""() => {
            const log = window.digitPad.log, version = window.digitPad.shownVersion;
            const sent = log.find(e => e.kind === 'sent' && e.version === version);
            const shown = log.find(e => e.kind === 'shown' && e.version === version);
            return sent && shown ? (shown.t - sent.t) / 1000 : null;
        }""")

    def top_class(self) -> str | None:
        text = self.page.inner_text("#digit-pad .dp-top").strip()
        return text or None

    def message(self) -> str:
        return self.page.inner_text("#digit-message").strip()

    def model_saw(self) -> np.ndarray | None:
        """The 28 x 28 in "What the model saw" (a PNG data URL on the page), floats 0-1."""
        import base64
        from PIL import Image
        src = self.page.get_attribute("#digit-seen img", "src")
        if not src or not src.startswith("data:"):
            return None
        picture = Image.open(io.BytesIO(base64.b64decode(src.partition(",")[2]))).convert("L")
        return np.asarray(picture, dtype=np.float32) / 255

    def canvas_as_model_input(self) -> np.ndarray:
        """What the app's preprocessing makes of a screenshot of the canvas as it is now."""
        from PIL import Image
        from mnist.preprocess import prepare_digit
        shot = self.canvas.screenshot()
        rgb = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))
        inner = max(2, rgb.shape[0] // 100)   # leave out the 1 px border
        return np.asarray(prepare_digit(rgb[inner:-inner, inner:-inner]).image, dtype=np.float32) / 255

    def ink(self) -> float:
        """Fraction of dark pixels on the canvas, from a screenshot."""
        from PIL import Image
        grey = np.asarray(Image.open(io.BytesIO(self.canvas.screenshot())).convert("L"), dtype=np.float32)
        inner = max(2, grey.shape[0] // 100)
        return float((grey[inner:-inner, inner:-inner] < 200).mean())

    def clear(self) -> None:
        self.page.click("#digit-clear")


def cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Cosine similarity of two 28 x 28 images, the best over shifts of up to one pixel (screenshots are
    small, so the centre of mass can land a pixel away)."""
    if a is None or b is None:
        return 0.0
    a = a.astype(np.float64)
    best = 0.0
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            c = np.roll(b.astype(np.float64), (dy, dx), axis=(0, 1))
            norm = np.linalg.norm(a) * np.linalg.norm(c)
            best = max(best, float((a * c).sum() / norm) if norm else 0.0)
    return best


def open_digits_page(browser, url: str, **context_options) -> DigitsPage:
    options = {"viewport": VIEWPORT, "device_scale_factor": DEVICE_SCALE, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#digit-pad canvas.dp-canvas")
    page.wait_for_function("() => window.digitPad")
    return DigitsPage(page)


def draw_like_a_person(pad: DigitsPage, plan: list[Drawing], timeout_s: float = 30.0, progress=None,
                       pace_ms: float = PACE_MS) -> list[Outcome]:
    """Draw each digit, wait for its answer, read it, (change the brush,) press Clear, go on at once."""
    outcomes, before = [], None
    for i, drawing in enumerate(plan):
        if i:
            pad.set_brush(drawing.brush)
            pad.set_colour(drawing.colour)
            pad.clear()
        began, lifted = pad.draw(place_strokes(drawing), pace_ms)
        shown_at = pad.wait_for_answer(timeout_s)
        rate = pad.answers_between(began, lifted) / max((lifted - began) / 1000, 1e-3)
        now = pad.canvas_as_model_input()
        if shown_at is None:
            outcome = Outcome(drawing, None, None, 0.0, 0.0, rate, (lifted - began) / 1000)
            print(f"lost answer {i + 1}: page log {pad.page.evaluate('window.digitPad.log.slice(-8)')}", flush=True)
        else:
            saw = pad.model_saw()
            outcome = Outcome(drawing, pad.top_class(), (shown_at - lifted) / 1000, cosine(saw, now),
                              cosine(saw, before) if before is not None else 0.0, rate, (lifted - began) / 1000,
                              pad.last_trip())
        outcomes.append(outcome)
        before = now
        if progress:
            progress(i, outcome)
    return outcomes


# ------------------------------------------------------------------------------------------------ report
def summarise(outcomes: list[Outcome]) -> dict:
    n = len(outcomes)
    times = np.array([o.seconds for o in outcomes if o.seconds is not None])
    return {"n": n, "correct": sum(o.correct for o in outcomes), "lost": sum(o.lost for o in outcomes),
            "stale": sum(o.stale for o in outcomes),
            "median_s": float(np.median(times)) if len(times) else float("nan"),
            "p95_s": float(np.percentile(times, 95)) if len(times) else float("nan"),
            # all answers shown while drawing over all drawing time, and the slowest tenth of the digits
            "answers_per_s": sum(o.answers_per_s * o.drawing_s for o in outcomes) / max(sum(o.drawing_s for o in outcomes), 1e-9),
            "answers_per_s_p10": float(np.percentile([o.answers_per_s for o in outcomes], 10)) if n else float("nan"),
            "trip_median_s": percentile([o.last_trip_s for o in outcomes], 50),
            "trip_p95_s": percentile([o.last_trip_s for o in outcomes], 95)}


def percentile(values, q: float) -> float:
    known = [v for v in values if v is not None]
    return float(np.percentile(known, q)) if known else float("nan")


def markdown(outcomes: list[Outcome], args, seconds: float, load: str, planned: int | None = None) -> str:
    s = summarise(outcomes)
    stopped = (f" **Stopped after {s['n']} of {planned} digits.**"
               if planned is not None and s["n"] < planned else "")
    command = "python -m benchmarks.browser_digits " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [f"# Digits drawn in the browser ({datetime.date.today()}, {os.cpu_count()} CPU cores)", "",
             f"Command: `{command.strip()}`. Chromium {args.chromium_version} headless (software rendering), "
             f"`python app.py` on loopback; viewport {VIEWPORT['width']} x {VIEWPORT['height']} at device "
             f"scale {DEVICE_SCALE}; one recorded pen point every {args.pace_ms:.0f} ms; seed {args.seed}. "
             f"Load average (1 / 5 / 15 min) before / after: {load}. Run time {seconds / 60:.1f} min.{stopped}", "",
             "| digits | correct | lost | stale | median s, mouse-up to answer | p95 s | median / p95 s, last picture "
             "sent to its answer | answers / s while drawing (all; slowest 10 % of digits) |",
             "|---|---|---|---|---|---|---|---|",
             f"| {s['n']} | **{100 * s['correct'] / s['n']:.1f} %** ({s['correct']}) | {s['lost']} | {s['stale']} "
             f"| **{s['median_s']:.3f}** | {s['p95_s']:.3f} | {s['trip_median_s']:.3f} / {s['trip_p95_s']:.3f} "
             f"| {s['answers_per_s']:.1f}; {s['answers_per_s_p10']:.1f} |", "",
             "*Mouse-up to answer*: until the page shows the answer for the canvas as it is; when the last ink was "
             "already sent by the 150 ms timer before the lift, its answer may be there already. *Last picture sent "
             "to its answer*: the round trip of the final snapshot (page -> server -> page), whenever it was sent.", "",
             "Targets (issue 21): ≥ 98 % correct, 0 lost, 0 stale; median ≤ 0.300 s, p95 ≤ 0.600 s; ≥ 3 answers / s "
             "while drawing.", "",
             "Every digit is by a writer never used in training (pendigits writers "
             f"{', '.join(str(w) for w in sorted(args.writers))}). *Stale*: \"What the model saw\" matches the "
             f"previous drawing better than this one, or matches this canvas with cosine < {MATCH}.", "",
             "| # | digit | writer | height | brush | colour | shown | s | drawing s | answers / s | match now / before |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for i, o in enumerate(outcomes):
        d = o.drawing
        flag = "" if o.correct else " **(lost)**" if o.lost else " **(stale)**" if o.stale else " **(wrong)**"
        seconds_text = f"{o.seconds:.2f}" if o.seconds is not None else "-"
        lines.append(f"| {i + 1} | {d.label} | {d.writer} | {d.height:.2f} | {d.brush} | {d.colour} "
                     f"| {o.shown}{flag} | {seconds_text} | {o.drawing_s:.1f} | {o.answers_per_s:.1f} "
                     f"| {o.match_now:.2f} / {o.match_before:.2f} |")
    return "\n".join(lines) + "\n"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> None:
    from playwright.sync_api import sync_playwright
    from mnist.strokes import HELD_OUT_WRITERS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100, help="digits to draw (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an answer")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--pendigits", type=Path, default=PENDIGITS)
    parser.add_argument("--pace-ms", type=float, default=PACE_MS, help="ms per recorded pen point (default 50)")
    args = parser.parse_args()
    args.writers = HELD_OUT_WRITERS
    plan = plan_drawings(load_pen_digits(args.pendigits), args.count, args.seed, HELD_OUT_WRITERS)
    load_before, began = load_average(), time.monotonic()
    server = AppServer(log_path=ARTIFACTS / "browser_digits-server.log")
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            args.chromium_version = browser.version
            pad = open_digits_page(browser, server.url)
            done: list[Outcome] = []
            args.out.parent.mkdir(parents=True, exist_ok=True)

            def progress(i, o):
                done.append(o)   # the report is rewritten after every digit, so a stopped run still counts
                args.out.write_text(markdown(done, args, time.monotonic() - began,
                                             f"{load_before} / {load_average()}", len(plan)))
                state = "ok" if o.correct else "LOST" if o.lost else "STALE" if o.stale else "wrong"
                print(f"{i + 1:3d}/{len(plan)} drew {o.drawing.label} -> {o.shown} {state} "
                      f"{o.seconds if o.seconds is None else round(o.seconds, 3)} s, {o.answers_per_s:.1f} answers/s while "
                      f"drawing (match {o.match_now:.2f} / {o.match_before:.2f})", flush=True)

            outcomes = draw_like_a_person(pad, plan, args.timeout, progress, args.pace_ms)
            browser.close()
    finally:
        server.stop()
    seconds = time.monotonic() - began
    text = markdown(outcomes, args, seconds, f"{load_before} / {load_average()}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    s = summarise(outcomes)
    print(f"{s['correct']}/{s['n']} correct, {s['lost']} lost, {s['stale']} stale; mouse-up to answer median "
          f"{s['median_s']:.3f} s, p95 {s['p95_s']:.3f} s; last picture's round trip median {s['trip_median_s']:.3f} s, "
          f"p95 {s['trip_p95_s']:.3f} s; {s['answers_per_s']:.1f} answers/s while drawing "
          f"(slowest 10 %: {s['answers_per_s_p10']:.1f}); load {load_average()} -> {args.out}")


if __name__ == "__main__":
    main()

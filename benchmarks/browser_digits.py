"""Draw held-out pen digits in real Chromium, like a person, and measure what the page shows.

    python -m benchmarks.browser_digits                    # 100 digits -> benchmarks/results/browser_digits.md
    python -m benchmarks.browser_digits --count 20 --out /tmp/browser_digits.md

It starts `python app.py` on a free loopback port (tests/browser_helpers.AppServer) and drives Debian's
Chromium (headless, Playwright). Each digit is a UCI pendigits trajectory by one of the writers never used in
training (mnist.strokes.HELD_OUT_WRITERS), ten of each class, replayed with the mouse at a random size
(digit height 35-80 % of the drawing area), a random place inside the area, and now and then another brush
size (16-56) and colour (black, blue, red), set with the Sketchpad's own controls. Then, as a person does:
look at the label, (maybe change the brush,) press Clear and draw the next digit straight away, never
waiting for the page to go quiet.

For every digit it records
- the label on the page once the page shows an answer for the drawing on the canvas (the page dims the
  answer and says "Reading your drawing..." while the canvas is newer than it; see ui/canvas_guard.py);
- *lost*: no answer within --timeout seconds of the last mouse-up;
- *stale*: the answer belongs to another canvas. Judged independently of the page's own bookkeeping:
  "What the model saw" (the 28 x 28 the model read) is compared with the 28 x 28 that the app's
  preprocessing makes of a screenshot of the drawing area as it is now, and of the previous drawing. It
  is stale when it is closer to the previous drawing, or when it does not match the canvas (cosine < 0.8);
- the time from the last mouse-up to that answer, on the page's clock.

What the browser really sends (captured with tests/watch_gradio.js in this Chromium; one composite is saved
to artifacts/captured_sketch.png so other benchmarks can render the same way):
- The Sketchpad's `composite` is an opaque 800 x 800 RGBA PNG: alpha 255 everywhere, white background.
  `background` (plain white) and the drawing layer come along as two more PNGs.
- The brush size is a radius: the default 36 paints lines 72 px wide on the 800 px canvas.
- One change per stroke, on pointer-up: 30 ms later the editor snapshots its layers, posts three PNGs to
  `/component_server` (accept_blobs) and fires `change` with only `{"id": ...}`. While one snapshot is being
  posted, later strokes are folded into one more snapshot after it. Here (software WebGL) a snapshot takes
  about 1-2 s after the mouse-up, longer than the model (about 5 ms).
- Any event that has the Sketchpad as input or trigger asks it for its value: the first time it gets the
  id, after that a fresh snapshot of the whole canvas, uploaded as three files. `always_last` re-sends a
  change that way after the running read.
- Clear (the "Clear canvas" control) sets the value to {background, layers, composite: None} and fires a
  change with it; a snapshot already under way is still posted and read afterwards. Before the fix in
  ui/canvas_guard.py that answer replaced the cleared label: the issue's "previous drawing's answer".

Chromium renders the canvas in software here, and every mouse move redraws it, so the page is kept small:
an 800 x 900 viewport at device scale 0.5 (the drawing area shows at ~38 % zoom), and strokes are thinned
to points at least 60 canvas px apart (about 5-12 mouse moves a digit). Results go to a Markdown file
with the command, the settings and the load average.
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
from browser_helpers import (ARTIFACTS, AppServer, fit_strokes, launch_chromium,  # noqa: E402
                             load_pen_digits, thin_stroke)

PENDIGITS = ROOT.parent / "shared" / "data" / "digits" / "pendigits" / "pendigits-orig.tra"
WATCH_JS = ROOT / "tests" / "watch_gradio.js"
RESULTS = ROOT / "benchmarks" / "results" / "browser_digits.md"
CAPTURED = ROOT / "artifacts" / "captured_sketch.png"
VIEWPORT = {"width": 800, "height": 900}
DEVICE_SCALE = 0.5
CANVAS = 800
BRUSHES = (16, 24, 36, 56)        # the Sketchpad's brush radius; 36 is the app's default
COLOURS = {"black": "rgb(0, 0, 0)", "blue": "rgb(31, 79, 214)", "red": "rgb(192, 57, 43)"}
HEIGHTS = (0.35, 0.8)             # digit height, fraction of the drawing area
MIN_STEP = 60.0                   # canvas px between mouse positions
CHANGE_EVERY = 5                  # about one brush / colour change per this many digits
MATCH = 0.8                       # cosine between what the model saw and the canvas, below it: another canvas

ANSWER_SHOWN_JS = """() => {
    const box = document.querySelector('#digit-result');
    if (!box || box.classList.contains('digit-outdated')) return false;
    return document.querySelector('#digit-label [data-testid="label-output-value"]') ? Date.now() : false;
}"""


@dataclass
class Drawing:
    label: int
    writer: int
    strokes: list
    height: float        # fraction of the drawing area
    centre: tuple        # canvas px
    brush: int
    colour: str


@dataclass
class Outcome:
    drawing: Drawing
    shown: str | None    # top class on the page, None when lost
    seconds: float | None
    match_now: float     # cosine(what the model saw, this canvas)
    match_before: float  # cosine(what the model saw, the previous canvas)

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
    plan, brush, colour = [], 36, "black"
    for i, digit in enumerate(chosen):
        if i and rng.random() < 1 / CHANGE_EVERY:
            brush = rng.choice(BRUSHES)
        if i and rng.random() < 1 / CHANGE_EVERY:
            colour = rng.choice(list(COLOURS))
        height = rng.uniform(*HEIGHTS)
        points = np.concatenate(digit.strokes)
        extent = points.max(axis=0) - points.min(axis=0)
        half = height * CANVAS * extent / max(float(extent.max()), 1.0) / 2 + brush + 10
        centre = tuple(rng.uniform(h, CANVAS - h) for h in half)
        plan.append(Drawing(digit.label, digit.writer, digit.strokes, height, centre, brush, colour))
    return plan


def place_strokes(drawing: Drawing) -> list[np.ndarray]:
    """The digit's strokes in canvas px: longer side `height` x 800, centred on `centre`."""
    fitted = fit_strokes(drawing.strokes, CANVAS, drawing.height)
    shift = np.asarray(drawing.centre, dtype=np.float64) - CANVAS / 2
    return [stroke + shift for stroke in fitted]


# ------------------------------------------------------------------------------------------------ the page
class DigitsPage:
    """The Digits tab of one open page, driven with the mouse (or touch) the way a person uses it."""

    def __init__(self, page):
        self.page = page
        self.brush, self.colour = 36, "black"

    def area(self):
        """(left, top, scale): where the 800 x 800 drawing area is on the page, in CSS px per canvas px."""
        box = self.page.locator("#digit-sketchpad canvas").first.bounding_box()
        zoom = float(self.page.inner_text("#digit-sketchpad .zoom-number").strip().rstrip("%")) / 100
        side = CANVAS * zoom
        return box["x"] + box["width"] / 2 - side / 2, box["y"] + box["height"] / 2 - side / 2, zoom

    def set_brush(self, size: int) -> None:
        if size == self.brush:
            return
        self.page.click("#digit-sketchpad button[aria-label='Brush Size']")
        slider = self.page.locator("#digit-sketchpad input[type='range']")
        slider.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true}));"
                        " el.dispatchEvent(new Event('change', {bubbles: true})); }", str(size))
        self.page.click("#digit-sketchpad button[aria-label='Brush']")
        self.brush = size

    def set_colour(self, colour: str) -> None:
        if colour == self.colour:
            return
        self.page.click("#digit-sketchpad button[aria-label='Color']")
        self.page.click(f"#digit-sketchpad button.color[style*='{COLOURS[colour]}']")
        self.page.click("#digit-sketchpad button[aria-label='Brush']")
        self.colour = colour

    def draw(self, strokes, min_step: float = MIN_STEP, touch: bool = False) -> float:
        """Replay strokes (canvas px) with the mouse, or touch points; the page's clock at the last lift."""
        left, top, zoom = self.area()
        for stroke in strokes:
            points = thin_stroke(stroke, min_step) * zoom + (left, top)
            if touch:
                self.touch_stroke(points)
                continue
            self.page.mouse.move(*points[0])
            self.page.mouse.down()
            for x, y in points[1:]:
                self.page.mouse.move(x, y, steps=1)
            self.page.mouse.up()
        return self.page.evaluate("Date.now()")

    def touch_stroke(self, points) -> None:
        """One finger stroke as Chromium's touch input (CDP Input.dispatchTouchEvent), as on a phone."""
        cdp = self.page.context.new_cdp_session(self.page) if not hasattr(self, "_cdp") else self._cdp
        self._cdp = cdp
        for i, (x, y) in enumerate(points):
            kind = "touchStart" if i == 0 else "touchMove"
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": float(x), "y": float(y)}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    def wait_for_answer(self, timeout_s: float) -> float | None:
        """The page's clock when an answer for the canvas as it is now is on the page, or None (lost)."""
        try:
            handle = self.page.wait_for_function(ANSWER_SHOWN_JS, polling=50, timeout=timeout_s * 1000)
        except Exception as error:   # Playwright's TimeoutError
            if "Timeout" in type(error).__name__ or "Timeout" in str(error):
                return None
            raise
        return float(handle.json_value())

    def top_class(self) -> str | None:
        value = self.page.locator("#digit-label [data-testid='label-output-value']")
        return value.inner_text().strip() if value.count() else None

    def model_saw(self) -> np.ndarray | None:
        """The 28 x 28 in "What the model saw" (the page shows it 8x enlarged), floats 0-1."""
        from PIL import Image
        img = self.page.locator("#digit-seen img")
        if not img.count():
            return None
        response = self.page.request.get(img.get_attribute("src"))
        picture = np.asarray(Image.open(io.BytesIO(response.body())).convert("L"), dtype=np.float32) / 255
        step = picture.shape[0] // 28
        return picture[step // 2::step, step // 2::step][:28, :28]

    def canvas_as_model_input(self) -> np.ndarray:
        """What the app's preprocessing makes of a screenshot of the drawing area as it is now."""
        from PIL import Image
        from mnist.preprocess import prepare_digit
        left, top, zoom = self.area()
        side = CANVAS * zoom
        overlays = self.page.locator("#digit-sketchpad .toolbar-wrap, #digit-sketchpad .top-panel")
        shot = self.page.screenshot(clip={"x": left, "y": top, "width": side, "height": side},
                                    mask=[overlays], mask_color="#ffffff")
        self.last_shot = shot
        rgb = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))
        return np.asarray(prepare_digit(rgb).image, dtype=np.float32) / 255

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


def open_digits_page(browser, url: str, watch: bool = True, **context_options):
    options = {"viewport": VIEWPORT, "device_scale_factor": DEVICE_SCALE, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(60_000)
    page = context.new_page()
    if watch:
        page.add_init_script(path=str(WATCH_JS))
    page.goto(url)
    page.wait_for_selector("#digit-sketchpad canvas")
    page.wait_for_function("() => window.digitPad && document.querySelector("
                           "'#digit-sketchpad button[aria-label=\"Brush\"]')")
    return DigitsPage(page)


def draw_like_a_person(pad: DigitsPage, plan: list[Drawing], timeout_s: float = 30.0, progress=None,
                       capture: Path | None = None) -> list[Outcome]:
    """Draw each digit, wait for its answer, read it, (change the brush,) press Clear, go on at once."""
    outcomes, before = [], None
    for i, drawing in enumerate(plan):
        if i:
            pad.set_brush(drawing.brush)
            pad.set_colour(drawing.colour)
            pad.clear()
        lifted = pad.draw(place_strokes(drawing))
        shown_at = pad.wait_for_answer(timeout_s)
        now = pad.canvas_as_model_input()
        if shown_at is None:
            outcome = Outcome(drawing, None, None, 0.0, 0.0)
            explain_lost(pad, i, lifted)
        else:
            saw = pad.model_saw()
            outcome = Outcome(drawing, pad.top_class(), (shown_at - lifted) / 1000, cosine(saw, now),
                              cosine(saw, before) if before is not None else 0.0)
        if capture is not None and i == 0:
            save_captured(pad.page, capture)
        outcomes.append(outcome)
        before = now
        if progress:
            progress(i, outcome)
    return outcomes


def explain_lost(pad: DigitsPage, i: int, lifted: float, more_s: float = 60.0) -> None:
    """Save what the page did around a lost answer, and whether the answer came later after all."""
    import json
    late = pad.wait_for_answer(more_s)
    state = pad.page.evaluate("() => ({version: window.digitPad.version, result: document.querySelector("
                              "'#digit-result').className, shown: document.querySelector('#digit-result')"
                              ".dataset.shownVersion, events: (window.__gr || {}).events || []})")
    state["late_s"] = None if late is None else (late - lifted) / 1000
    state["events"] = [dict(e, t=e["t"] - lifted) for e in state["events"] if e["t"] > lifted - 30_000]
    path = ARTIFACTS / f"browser_digits-lost-{i + 1}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=1))
    print(f"lost answer {i + 1}: came {state['late_s']} s after the mouse-up; page state in {path}", flush=True)


def save_captured(page, path: Path) -> None:
    """The last composite PNG the Sketchpad posted (tests/watch_gradio.js keeps it)."""
    import base64
    composite = page.evaluate("window.__gr && window.__gr.lastComposite")
    if composite:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(composite["dataUrl"].partition(",")[2]))


# ------------------------------------------------------------------------------------------------ report
def summarise(outcomes: list[Outcome]) -> dict:
    n = len(outcomes)
    times = np.array([o.seconds for o in outcomes if o.seconds is not None])
    return {"n": n, "correct": sum(o.correct for o in outcomes), "lost": sum(o.lost for o in outcomes),
            "stale": sum(o.stale for o in outcomes),
            "median_s": float(np.median(times)) if len(times) else float("nan"),
            "p95_s": float(np.percentile(times, 95)) if len(times) else float("nan")}


def markdown(outcomes: list[Outcome], args, seconds: float, load: str, planned: int | None = None) -> str:
    s = summarise(outcomes)
    stopped = (f" **Stopped after {s['n']} of {planned} digits.**"
               if planned is not None and s["n"] < planned else "")
    command = "python -m benchmarks.browser_digits " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [f"# Digits drawn in the browser ({datetime.date.today()}, {os.cpu_count()} CPU cores)", "",
             f"Command: `{command.strip()}`. Chromium {args.chromium_version} headless (software rendering), "
             f"`python app.py` on loopback; viewport {VIEWPORT['width']} x {VIEWPORT['height']} at device "
             f"scale {DEVICE_SCALE}; strokes thinned to {MIN_STEP:.0f} canvas px; seed {args.seed}. "
             f"Load average (1 / 5 / 15 min) before / after: {load}. Run time {seconds / 60:.1f} min.{stopped}", "",
             "| digits | correct | lost | stale | median s, mouse-up to answer | p95 s | target |",
             "|---|---|---|---|---|---|---|",
             f"| {s['n']} | **{100 * s['correct'] / s['n']:.1f} %** ({s['correct']}) | {s['lost']} | {s['stale']} "
             f"| {s['median_s']:.2f} | {s['p95_s']:.2f} | ≥ 98 % correct, 0 lost, 0 stale |", "",
             "Every digit is by a writer never used in training (pendigits writers "
             f"{', '.join(str(w) for w in sorted(args.writers))}). *Stale*: \"What the model saw\" matches the "
             f"previous drawing better than this one, or matches this canvas with cosine < {MATCH}.", "",
             "| # | digit | writer | height | brush | colour | shown | s | match now / before |",
             "|---|---|---|---|---|---|---|---|---|"]
    for i, o in enumerate(outcomes):
        d = o.drawing
        flag = "" if o.correct else " **(lost)**" if o.lost else " **(stale)**" if o.stale else " **(wrong)**"
        seconds_text = f"{o.seconds:.2f}" if o.seconds is not None else "-"
        lines.append(f"| {i + 1} | {d.label} | {d.writer} | {d.height:.2f} | {d.brush} | {d.colour} "
                     f"| {o.shown}{flag} | {seconds_text} | {o.match_now:.2f} / {o.match_before:.2f} |")
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
                      f"{o.seconds if o.seconds is None else round(o.seconds, 2)} s "
                      f"(match {o.match_now:.2f} / {o.match_before:.2f})", flush=True)

            outcomes = draw_like_a_person(pad, plan, args.timeout, progress, capture=CAPTURED)
            browser.close()
    finally:
        server.stop()
    seconds = time.monotonic() - began
    text = markdown(outcomes, args, seconds, f"{load_before} / {load_average()}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    s = summarise(outcomes)
    print(f"{s['correct']}/{s['n']} correct, {s['lost']} lost, {s['stale']} stale, median {s['median_s']:.2f} s, "
          f"p95 {s['p95_s']:.2f} s -> {args.out}")


if __name__ == "__main__":
    main()

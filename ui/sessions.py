"""A bound and an expiry for Gradio's per-visitor sessions, which Gradio itself never frees.

    from ui.sessions import expire_idle_sessions
    expire_idle_sessions(demo, idle_seconds=1800, most=1000)   # once, after building the Blocks

Why: Gradio 6 keeps one SessionState per session hash (every page opened, every API client) in
`demo.state_holder.session_data`. A gr.State's time_to_live empties the values inside it, but the SessionState
itself stays, with its own copy of the page's config for every component: ~180 KB for this page, until 10,000
sessions (~1.8 GB) push out the oldest. With visitors coming and going that is steady growth (the soak,
benchmarks/soak.py). A background thread drops the sessions nobody has used for `idle_seconds` and keeps at most
`most` (dropping the least recently used), running each State's delete callback first as Gradio does.
"""
from __future__ import annotations

import datetime
import logging
import os
import threading

log = logging.getLogger("app")

SESSION_IDLE_SECONDS = float(os.environ.get("SESSION_IDLE_SECONDS", 1800))  # a visitor away this long starts afresh
MOST_SESSIONS = int(os.environ.get("MOST_SESSIONS", 1000))                   # ~180 MB at most per process


def drop_idle_sessions(holder, idle_seconds: float, most: int) -> int:
    """Remove sessions idle longer than `idle_seconds`, then the least recently used beyond `most`; -> removed."""
    cutoff = datetime.datetime.now() - datetime.timedelta(seconds=idle_seconds)
    with holder.lock:
        by_age = sorted(holder.session_data, key=lambda s: holder.time_last_used.get(s, datetime.datetime.min))
        excess = max(0, len(by_age) - most)
        gone = [s for k, s in enumerate(by_age)
                if k < excess or holder.time_last_used.get(s, datetime.datetime.min) < cutoff]
    for session in gone:
        try:
            holder.delete_state(session)  # the State delete callbacks, as Gradio runs them on expiry
        except Exception:  # a callback's failure must not keep the session (and the sweep) alive
            log.exception("deleting the state of an idle session failed")
        with holder.lock:
            holder.session_data.pop(session, None)
            holder.time_last_used.pop(session, None)
    return len(gone)


def expire_idle_sessions(demo, idle_seconds: float = SESSION_IDLE_SECONDS, most: int = MOST_SESSIONS,
                         every: float = 30.0, also=()) -> threading.Thread:
    """Start the sweeper (a daemon thread) for `demo`; it reads demo.state_holder afresh each time (launch sets it).
    `also`: more per-visitor stores' sweeps (callables) to run on the same beat, e.g. a pool's drop_idle."""
    def sweep() -> None:
        while True:
            threading.Event().wait(every)
            holder = getattr(demo, "state_holder", None)
            if holder is not None:
                removed = drop_idle_sessions(holder, idle_seconds, most)
                if removed:
                    log.info("dropped %d idle sessions; %d remain", removed, len(holder.session_data))
            for sweep_store in also:
                try:
                    sweep_store()
                except Exception:
                    log.exception("sweeping %s failed", sweep_store)

    thread = threading.Thread(target=sweep, name="expire-idle-sessions", daemon=True)
    thread.start()
    return thread

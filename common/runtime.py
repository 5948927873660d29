"""Process-wide settings for serving on a small CPU machine.

    from common.runtime import limit_malloc_arenas, release_free_memory
    limit_malloc_arenas()      # call once, early, before the server starts its worker threads
    release_free_memory()      # now and then (app.py: on the session janitor's beat)
    with one_torch_thread():   # a small model read on a request's thread
"""
from __future__ import annotations

import contextlib
import ctypes
import os

M_ARENA_MAX = -8  # glibc's mallopt() parameter number


def limit_malloc_arenas(count: int = 2) -> bool:
    """Cap glibc's malloc arenas, as MALLOC_ARENA_MAX=count would; return whether it was applied.

    glibc gives busy threads their own arenas and keeps freed memory in each, so a server answering from a
    thread pool grows by tens of MB under load without leaking anything (benchmarks/results/load.md:
    +57.5 MB over the second half of the run without the cap, +9 MB with two arenas). An explicit
    MALLOC_ARENA_MAX in the environment wins; on a C library other than glibc this does nothing.
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):
        return False


def release_free_memory() -> bool:
    """Give the C heap's free pages back to the system (glibc malloc_trim); return whether it released any.

    Native libraries (MediaPipe graphs of live readers, OpenCV, PyTorch) free what they allocate, but glibc keeps
    freed pages mapped at the heap's high-water mark, so RSS climbs in steps whenever many visitors overlap and
    never comes down (benchmarks/results/soak.md). Trimming is cheap (milliseconds) when run every 30 s.
    """
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


@contextlib.contextmanager
def one_torch_thread():
    """Run torch on the calling thread only, for this block. Small models gain nothing from more threads on a
    busy 2-core machine: with torch's default two OpenMP threads the live landmarks MLP took 28 ms a frame
    (spinning threads waiting for a core), with one 1.2 ms; a digit read 462 ms against 28 ms. With torch's
    OpenMP backend the setting is per calling thread, so other requests keep theirs."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)

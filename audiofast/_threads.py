"""Running the parts of one computation on threads (the `workers=` of resample and frame_rms).
The kernels release the GIL, so the parts run at once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable


def on_threads(part: Callable[[int], object], count: int) -> None:
    """part(0) ... part(count - 1): the first in this thread, each other on a thread of its
    own; returns when all are done, raising the first part's error if one failed. Parts that
    cannot get a thread (the interpreter is shutting down: an atexit handler, or a thread
    still running after the main one returned) run in this thread, in order."""
    if count <= 1:
        part(0)
        return
    with ThreadPoolExecutor(count - 1) as pool:
        futures, here = [], [0]
        for k in range(1, count):
            try:
                futures.append(pool.submit(part, k))
            except RuntimeError:        # "cannot schedule new futures after shutdown"
                here.append(k)
        for k in here:
            part(k)
        for f in futures:
            f.result()

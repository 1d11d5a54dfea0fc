"""The one place audiofast looks up which build of its compiled core runs.

``core`` is the AVX2 build where the CPU supports it (x86-64 with AVX2 and FMA), else the
portable one. Every module calls the core through ``_dispatch.core`` at call time, so assigning
it switches every public function and class at once (the tests do, to run each build).

Set ``AUDIOFAST_SIMD=portable`` in the environment to force the portable build (both compute the
same conversions bit for bit; they are tested against each other).
"""
from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING

try:
    from . import _core as portable
except ImportError as e:      # e.g. a source checkout on sys.path, not built
    raise ImportError(
        f"audiofast's compiled core is not built ({e}). Install the package "
        f"(pip install .) or build it in place (python setup.py build_ext --inplace) first; "
        f"run from a source checkout, make sure the installed package, not the checkout's "
        f"audiofast/ folder, is first on sys.path."
    ) from e


def available() -> dict[str, ModuleType]:
    """Every build this machine can run, by name ("portable", "avx2"), honouring
    ``AUDIOFAST_SIMD=portable``."""
    builds = {"portable": portable}
    if os.environ.get("AUDIOFAST_SIMD", "").lower() != "portable" and portable.cpu_has_avx2_fma():
        try:
            from . import _core_avx2
        except ImportError:   # not built on this platform
            pass
        else:
            builds["avx2"] = _core_avx2
    return builds


if TYPE_CHECKING:     # both builds have the one interface of _core.pyi
    from . import _core as core
else:
    core = list(available().values())[-1]

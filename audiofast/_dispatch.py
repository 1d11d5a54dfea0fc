"""The compiled core for this CPU: the AVX2 build where the CPU supports it, else the portable one.

Set ``AUDIOFAST_SIMD=portable`` in the environment to force the portable build (both compute the
same conversions bit for bit; they are tested against each other).
"""
import os

from . import _core as portable

core = portable
if os.environ.get("AUDIOFAST_SIMD", "").lower() != "portable" and portable.cpu_has_avx2_fma():
    try:
        from . import _core_avx2 as core
    except ImportError:  # not built on this platform
        pass

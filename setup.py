"""Build of the compiled core; metadata lives in pyproject.toml.

``audiofast._core`` is built with portable flags (-O3 and the compiler's baseline ISA: SSE2 on
x86-64, NEON on arm64). On x86-64 the same source is built a second time as
``audiofast._core_avx2`` with -mavx2 -mfma; audiofast imports it at run time only on CPUs that
support it (runtime dispatch, see audiofast/_dispatch.py). ``AUDIOFAST_NATIVE=1`` opts in to
``-march=native`` for the portable module too, for a machine-specific build. ``audiofast._result``
holds the result types both builds share (they cimport it), so it is built once.

Release builds carry no debug information: CPython's CFLAGS include ``-g``, which makes the
modules about six times larger (4.1 MB against 0.7 MB each on x86-64 Linux with GCC 12), so
``-g0`` is added at compile time and the modules are stripped at link time (``-s`` on Linux,
``-Wl,-S`` on macOS; MSVC adds no debug information unless asked). ``AUDIOFAST_DEBUG=1`` keeps
the debug information and symbols, for a debugger or a profiler
(``AUDIOFAST_DEBUG=1 pip install .``).
"""
import os
import platform
import sys
import sysconfig

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

if sys.platform == "win32":
    compile_args = ["/O2"]
else:
    # -fno-math-errno lets libm calls (sqrt, ...) inline; -fno-trapping-math lets GCC turn the
    # NaN test and clamps of quantisation into vector selects (Python never unmasks FP traps).
    # No -ffast-math: the kernels rely on IEEE values (round-half-even by the 1.5 * 2**p trick,
    # NaN tests, no reassociation), which fast-math breaks.
    compile_args = ["-O3", "-fno-math-errno", "-fno-trapping-math"]
    if "clang" not in (sysconfig.get_config_var("CC") or ""):
        # The FFT butterflies and FIR loops read and write up to a dozen arrays; GCC's default of
        # 10 run-time alias checks made it give up vectorising them (2x slower FFT).
        compile_args += ["--param", "vect-max-version-for-alias-checks=200"]
    if os.environ.get("AUDIOFAST_NATIVE") == "1":
        compile_args.append("-march=native")

link_args = []
if os.environ.get("AUDIOFAST_DEBUG") != "1" and sys.platform != "win32":
    compile_args.append("-g0")      # after CPython's -g, so it wins
    if sys.platform.startswith("linux"):
        link_args.append("-s")
    elif sys.platform == "darwin":
        link_args.append("-Wl,-S")


def core_extension(name, extra_args=()):
    return Extension(
        f"audiofast.{name}",
        [f"audiofast/{name}.pyx"],
        include_dirs=[np.get_include(), "audiofast"],
        depends=["audiofast/_core.pyx", "audiofast/_result.pxd", "audiofast/_fft.pxi",
                 "audiofast/_resample.pxi", "audiofast/_vad.pxi", "audiofast/_frontend.pxi",
                 "audiofast/_simd.h", "audiofast/_fft.h", "audiofast/_fft_impl.h"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=compile_args + list(extra_args),
        extra_link_args=link_args,
    )


extensions = [
    # the result types, built once: both builds of the core cimport them, so each public class
    # is one class whichever build runs
    Extension("audiofast._result", ["audiofast/_result.pyx"],
              extra_compile_args=compile_args, extra_link_args=link_args),
    core_extension("_core"),
]
if platform.machine().lower() in ("x86_64", "amd64") and sys.platform != "win32":
    extensions.append(core_extension("_core_avx2", ["-mavx2", "-mfma"]))

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": 3, "embedsignature": True},
    )
)

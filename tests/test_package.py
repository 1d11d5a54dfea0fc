"""The installed package: its command-line version, what its wheel ships, what it requires, and
the examples in its docstrings.

These read the installed distribution. In an editable install its RECORD lists only the
editable hook, so the wheel-contents checks hold trivially there; CI installs the package
regularly (`pip install ".[test,bench]"`), where they check the real wheel.
"""
import doctest
import importlib
import importlib.metadata
import importlib.util
import pathlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import audiofast
from audiofast.__main__ import main as cli_main

BUILD_ONLY_SUFFIXES = {".c", ".pyx", ".pxi", ".pxd", ".h"}

# modules whose docstrings have examples; one that loses them fails test_docstring_examples_run
MODULES_WITH_EXAMPLES = {"audiofast.convert", "audiofast.resampler", "audiofast.voice"}


def _record():
    files = importlib.metadata.distribution("audiofast").files
    assert files is not None, "the installed distribution has no RECORD"
    return [PurePosixPath(str(f)) for f in files]


def _is_regular_install(record):
    return PurePosixPath("audiofast/__init__.py") in record


def test_cli_version_prints_the_installed_version(capsys):
    assert cli_main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out == f"audiofast {audiofast.__version__}\n"
    assert audiofast.__version__ == importlib.metadata.version("audiofast")


def test_installed_files_hold_no_build_sources():
    shipped = [f for f in _record() if f.suffix in BUILD_ONLY_SUFFIXES]
    assert shipped == []


def test_installed_files_hold_stubs_and_compiled_modules():
    record = _record()
    if not _is_regular_install(record):
        pytest.skip("editable install: its RECORD lists the editable hook, not the package files")
    names = {f.name for f in record if f.parent == PurePosixPath("audiofast")}
    assert {"py.typed", "_core.pyi", "_result.pyi"} <= names
    for module in ("_core", "_result"):
        assert any(n.startswith(module + ".") and n.endswith((".so", ".pyd")) for n in names)


def test_runtime_requirement_is_numpy_only():
    requires = importlib.metadata.requires("audiofast") or []
    runtime = {canonicalize_name(r.name) for r in map(Requirement, requires) if r.marker is None}
    assert runtime == {"numpy"}


def _python_modules():
    """Every pure-Python module of the installed package (the compiled ones have no examples,
    and the AVX2 build must not be imported on a CPU without AVX2)."""
    names = ["audiofast"]
    for info in pkgutil.iter_modules(audiofast.__path__, "audiofast."):
        spec = importlib.util.find_spec(info.name)
        if spec is not None and spec.origin is not None and spec.origin.endswith(".py"):
            names.append(info.name)
    return names


def _has_examples(name):
    tests = doctest.DocTestFinder().find(importlib.import_module(name))
    return any(t.examples for t in tests)


@pytest.mark.parametrize(
    "name", sorted(MODULES_WITH_EXAMPLES | {n for n in _python_modules() if _has_examples(n)}))
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0


def test_importing_an_unbuilt_checkout_says_to_build_first(tmp_path):
    # the package's Python files without its compiled modules, first on sys.path: what running
    # from a source checkout that was never built looks like
    src = pathlib.Path(audiofast.__file__).parent
    (tmp_path / "audiofast").mkdir()
    for f in src.glob("*.py"):
        shutil.copy(f, tmp_path / "audiofast" / f.name)
    # only the standard finders: an editable install's finder would import the built package
    code = ("import sys, importlib.machinery as m\n"
            "std = (m.BuiltinImporter, m.FrozenImporter, m.PathFinder)\n"
            "sys.meta_path[:] = [f for f in sys.meta_path if f in std]\n"
            f"sys.path.insert(0, {str(tmp_path)!r})\n"
            "import audiofast\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: audiofast's compiled core is not built"), out.stderr
    assert "pip install ." in last and "build_ext --inplace" in last


def test_audiofast_simd_portable_leaves_only_the_portable_build(monkeypatch):
    from audiofast import _dispatch
    monkeypatch.setenv("AUDIOFAST_SIMD", "portable")
    assert list(_dispatch.available()) == ["portable"]
    assert _dispatch.available()["portable"].simd() != "avx2"
    monkeypatch.delenv("AUDIOFAST_SIMD")
    builds = _dispatch.available()
    assert builds["portable"] is _dispatch.portable
    # the AVX2 build is offered exactly where the CPU can run it (and it was built)
    assert ("avx2" in builds) <= _dispatch.portable.cpu_has_avx2_fma()
    if "avx2" in builds:
        assert builds["avx2"].simd() == "avx2"

import numpy as np
import pytest
from hypothesis import settings

import audiofast._core as portable_core
import audiofast.convert
import audiofast.resampler

settings.register_profile("ci", max_examples=150, deadline=None)
settings.load_profile("ci")


def available_cores():
    """Every compiled build this machine can run: the portable one, and the AVX2 one where the
    CPU supports it (on other CPUs it is not importable-and-runnable, so it is not listed)."""
    cores = [("portable", portable_core)]
    if portable_core.cpu_has_avx2_fma():
        import audiofast._core_avx2 as avx2_core
        cores.append(("avx2", avx2_core))
    return cores


@pytest.fixture(params=available_cores(), ids=lambda c: c[0])
def core(request, monkeypatch):
    """Run the test once per compiled build, through the public API."""
    mod = request.param[1]
    monkeypatch.setattr(audiofast.convert, "core", mod)
    monkeypatch.setattr(audiofast.resampler, "core", mod)
    audiofast.resampler._filter.cache_clear()      # cached filters belong to one build
    yield mod
    audiofast.resampler._filter.cache_clear()


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)

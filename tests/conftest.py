import os

import numpy as np
import pytest
from hypothesis import settings

import audiofast
from audiofast import _dispatch

settings.register_profile("ci", max_examples=150, deadline=None)
settings.load_profile("ci")

BUILDS = _dispatch.available()      # honours AUDIOFAST_SIMD=portable


def pytest_report_header(config):
    forced = os.environ.get("AUDIOFAST_SIMD", "").lower() == "portable"
    return [f"audiofast {audiofast.__version__}: default build {_dispatch.core.simd()}"
            f"{' (AUDIOFAST_SIMD=portable)' if forced else ''}; "
            f"the `core` fixture runs {', '.join(BUILDS)}"]


@pytest.fixture(params=list(BUILDS.values()), ids=list(BUILDS))
def core(request, monkeypatch):
    """Run the test once per compiled build this machine can run, through the public API:
    every public function and class looks the build up in `_dispatch.core`."""
    monkeypatch.setattr(_dispatch, "core", request.param)
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)

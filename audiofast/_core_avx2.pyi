# Type stub of the AVX2 build: the same module as audiofast._core (see _core.pyi).
from ._core import *  # noqa: F401,F403

"""librosa's API on audiofast's kernels: ``import audiofast.compat.librosa as librosa``.

* `resample`: ``librosa.resample`` (same arguments, shapes, dtypes and lengths; `res_type`
  mapped to audiofast's quality tiers).
* `effects.split`, `effects.trim`: librosa's intervals, identical.
* `feature.rms`: from samples (``y=``) or a spectrogram (``S=``).
* `util.frame`, `util.fix_length`, `util.valid_audio`, and `ParameterError` (a ValueError),
  raised where librosa raises its own.

librosa itself is not needed. Each function's docstring says where it differs from librosa.
"""
from . import core, effects, feature, util
from .core import resample
from .util import ParameterError

__all__ = ["resample", "effects", "feature", "util", "core", "ParameterError"]

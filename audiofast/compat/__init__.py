"""Drop-in modules for code written against other audio libraries: change the import, keep the
calls.

* ``import audiofast.compat.soxr as soxr``: python-soxr's ``resample`` and ``ResampleStream``.
* ``import audiofast.compat.librosa as librosa``: librosa's ``resample``, ``effects.split`` /
  ``trim``, ``feature.rms`` and ``util.frame``.

Each keeps the other library's signatures, shapes, dtypes, output lengths and exceptions, and
runs on audiofast's kernels. Neither needs the library it stands in for. Where values or
behaviour differ, the function's docstring says how.
"""

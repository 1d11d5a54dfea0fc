# cython: language_level=3
# The same kernels as _core.pyx, compiled with -mavx2 -mfma (see setup.py); imported instead of
# _core on CPUs that support it.
include "_core.pyx"

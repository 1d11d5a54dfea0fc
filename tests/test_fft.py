"""The resampler's real FFT (audiofast/_fft.h) against numpy.fft, in both compiled builds.

The transform has a vector first pass (radix = lane count) with a scalar remainder, vector
passes of radix 2, 3, 4, 5 and 7 with scalar remainders, and a lane-by-lane path for sizes the
lane count does not divide: the sizes below reach each of them in float32 and float64.
"""
import numpy as np
import pytest

SIZES = [
    2, 4, 6, 8, 10, 14, 16, 18, 30, 42, 48, 70,
    144,                # n = 72 = 8 * 9: the vector first pass leaves a scalar remainder
    882, 1470,          # n = 441, 735: no factor of the lane count, every pass lane by lane
    120, 240, 1000,     # 2, 3, 5 mixed
    1536, 2048, 2560, 4608, 6144, 7056, 10584,     # the resampler's block sizes
    2 * 8 * 2 * 3 * 5 * 7 * 7,
]
# worst error relative to the largest bin: a few units of round-off times log2(size)
TOLERANCE = {np.float32: 2e-6, np.float64: 5e-15}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", SIZES)
def test_rfft_matches_numpy(core, rng, size, dtype):
    x = rng.standard_normal(size)
    ours = core.RealFFT(size, dtype).rfft(x.astype(dtype))
    ref = np.fft.rfft(x.astype(dtype).astype(np.float64))
    err = np.max(np.abs(ours - ref)) / np.max(np.abs(ref))
    assert err < TOLERANCE[dtype] * np.log2(size + 1), err


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", SIZES)
def test_irfft_inverts_numpy_rfft_times_size(core, rng, size, dtype):
    x = rng.standard_normal(size)
    spectrum = np.fft.rfft(x)
    ours = core.RealFFT(size, dtype).irfft(spectrum.astype(np.complex128))
    err = np.max(np.abs(ours / size - x)) / np.max(np.abs(x))
    assert err < TOLERANCE[dtype] * np.log2(size + 1) * 4, err


def test_same_block_gives_the_same_bits_every_time(core, rng):
    # the streaming resampler's exactness rests on this: no state, no dependence on alignment
    fft = core.RealFFT(7056, np.float32)
    x = rng.standard_normal(7056 + 3).astype(np.float32)
    first = fft.rfft(x[:7056])
    shifted = np.empty(7056 + 3, np.float32)[3:]          # misaligned copy of the same values
    shifted[:] = x[:7056]
    assert np.array_equal(fft.rfft(shifted), first)
    assert np.array_equal(fft.rfft(x[:7056].copy()), first)

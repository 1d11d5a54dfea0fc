"""Sample-format conversion against float64 numpy references, per-byte PCM references and, for
G.711, Python's audioop (the stdlib module up to 3.12, the audioop-lts package from 3.13)."""
import mmap
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import audiofast as af

INTS = [np.int8, np.uint8, np.int16, np.int32]
FLOATS = [np.float32, np.float64]
BITS = {np.dtype(np.int8): 8, np.dtype(np.uint8): 8, np.dtype(np.int16): 16,
        np.dtype(np.int32): 32}


# ---------------------------------------------------------------------------------------------
# References: float64 arithmetic, np.rint, np.clip, written independently of the kernels.

def ref_to_float32(x):
    x = np.asarray(x)
    dt = x.dtype
    if dt.kind == "f":
        with np.errstate(over="ignore"):
            return x.astype(np.float32)
    v = x.astype(np.float64)
    if dt == np.uint8:
        v = v - 128
    return (v / 2.0 ** (BITS[dt] - 1)).astype(np.float32)


def ref_from_float(x, dtype):
    dtype = np.dtype(dtype)
    bits = BITS[dtype]
    with np.errstate(invalid="ignore", over="ignore"):
        v = np.asarray(x).astype(np.float64) * 2.0 ** (bits - 1)
        v = np.where(np.isnan(v), 0.0, v)
        v = np.clip(np.rint(v), -(2.0 ** (bits - 1)), 2.0 ** (bits - 1) - 1)
    if dtype == np.uint8:
        v = v + 128
    return v.astype(dtype)


def edge_values(bits):
    """Ties at every rounding position near zero and the range ends, saturation edges, specials."""
    full = 2.0 ** (bits - 1)
    k = np.arange(-40, 40, dtype=np.float64)
    scaled = np.concatenate([
        k, k + 0.5, k + 0.25, k + 0.75,                       # ties and near-ties
        full - 1 + np.array([-0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]),
        -full + np.array([-2.0, -1.0, -0.75, -0.5, -0.25, 0.0, 0.5, 1.0]),
        [1e6 * full, -1e6 * full],
    ])
    x = scaled / full
    return np.concatenate([x, [np.inf, -np.inf, np.nan, -0.0, 0.0, 1e-45, -1e-45, 3e38, -3e38]])


# ---------------------------------------------------------------------------------------------
# The two hot paths

def test_int16_round_trip_is_lossless_for_all_65536_values(core):
    x = np.arange(-32768, 32768, dtype=np.int16)
    f = af.int16_to_float32(x)
    assert f.dtype == np.float32
    np.testing.assert_array_equal(f, x.astype(np.float64) / 32768)
    assert f.min() == -1.0 and f.max() == 1 - 2.0 ** -15
    np.testing.assert_array_equal(af.float32_to_int16(f), x)


def test_float32_to_int16_matches_reference_at_ties_and_saturation_edges(core):
    x = edge_values(16).astype(np.float32)
    np.testing.assert_array_equal(af.float32_to_int16(x), ref_from_float(x, np.int16))


def test_float32_to_int16_documented_special_values(core):
    x = np.array([1.0, -1.0, np.inf, -np.inf, np.nan, 0.5 / 32768, 1.5 / 32768, -0.5 / 32768],
                 np.float32)
    np.testing.assert_array_equal(af.float32_to_int16(x),
                                  [32767, -32768, 32767, -32768, 0, 0, 2, 0])


@pytest.mark.parametrize("n", list(range(0, 41)) + [1000, 4099])
def test_float32_to_int16_every_length_covers_vector_body_and_tail(core, rng, n):
    # the vectorised prefix is 8 or 16 samples wide; specials are spread over body and tail
    x = (rng.standard_normal(n) * 0.7).astype(np.float32)
    x[::7] = np.nan
    x[3::11] = np.inf
    x[5::13] = -np.inf
    x[1::5] = 40000 / 32768
    np.testing.assert_array_equal(af.float32_to_int16(x), ref_from_float(x, np.int16))


# ---------------------------------------------------------------------------------------------
# Every dtype pair

@pytest.mark.parametrize("dtype", INTS)
def test_to_float32_matches_reference_over_whole_integer_range(core, rng, dtype):
    info = np.iinfo(dtype)
    x = np.concatenate([
        rng.integers(info.min, info.max, 5000, dtype=dtype, endpoint=True),
        np.array([info.min, info.min + 1, -1 if info.min else 127, 0 if info.min else 128,
                  1, info.max - 1, info.max], dtype=dtype),
    ])
    np.testing.assert_array_equal(af.to_float32(x), ref_to_float32(x))


def test_to_float32_int32_rounds_to_nearest_even_as_numpy(core):
    # int32 values that are not float32-representable, including exact ties
    x = np.array([2**24 + 1, 2**24 + 3, 2**31 - 1, -(2**31), 2**30 + 64, 2**30 + 192, -(2**25 + 2)],
                 dtype=np.int32)
    np.testing.assert_array_equal(af.to_float32(x), ref_to_float32(x))


def test_to_float32_of_floats_is_a_plain_cast_and_a_copy(core):
    x64 = np.array([0.1, -2.5, 1e300, -1e300, np.nan, np.inf, 1e-300], np.float64)
    np.testing.assert_array_equal(af.to_float32(x64), ref_to_float32(x64))
    x32 = np.array([0.1, np.nan, -3.0], np.float32)
    y = af.to_float32(x32)
    np.testing.assert_array_equal(y, x32)
    assert not np.shares_memory(x32, y)


@pytest.mark.parametrize("src", FLOATS)
@pytest.mark.parametrize("dtype", INTS)
def test_from_float32_matches_reference_at_edges(core, src, dtype):
    x = edge_values(BITS[np.dtype(dtype)]).astype(src)
    np.testing.assert_array_equal(af.from_float32(x, dtype), ref_from_float(x, dtype))


@pytest.mark.parametrize("src", FLOATS)
@pytest.mark.parametrize("dtype", INTS)
def test_from_float32_matches_reference_on_random_data(core, rng, src, dtype):
    x = (rng.standard_normal(3001) * 0.6).astype(src)
    np.testing.assert_array_equal(af.from_float32(x, dtype), ref_from_float(x, dtype))


def test_from_float32_accepts_dtype_spellings():
    x = np.array([0.5, -0.5], np.float32)
    for spelling in ("int16", "<i2", np.int16, np.dtype("int16")):
        np.testing.assert_array_equal(af.from_float32(x, spelling), [16384, -16384])


def test_uint8_is_offset_binary_both_ways(core):
    np.testing.assert_array_equal(af.to_float32(np.array([0, 128, 255], np.uint8)),
                                  np.array([-1.0, 0.0, 127 / 128], np.float32))
    np.testing.assert_array_equal(
        af.from_float32(np.array([-1.0, 0.0, 1.0, np.nan], np.float32), np.uint8),
        [0, 128, 255, 128])


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16])
def test_small_integer_round_trip_is_lossless(core, dtype):
    info = np.iinfo(dtype)
    x = np.arange(info.min, info.max + 1).astype(dtype)
    np.testing.assert_array_equal(af.from_float32(af.to_float32(x), dtype), x)


# ---------------------------------------------------------------------------------------------
# Shapes, strides, byte order, alignment, out=

@st.composite
def strided_arrays(draw, dtypes):
    """Arrays of 0-4 dims that are views with steps (negative too) and transposes."""
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    if np.dtype(dtype).kind == "f":
        elements = st.floats(width=np.dtype(dtype).itemsize * 8, allow_nan=True,
                             allow_infinity=True, min_value=None, max_value=None)
        base = draw(hnp.arrays(dtype, tuple(s * 2 for s in shape),
                               elements=st.one_of(elements, st.floats(-1.25, 1.25,
                                                  width=np.dtype(dtype).itemsize * 8))))
    else:
        base = draw(hnp.arrays(dtype, tuple(s * 2 for s in shape)))
    index = tuple(draw(st.sampled_from([slice(None, s), slice(None, None, 2),
                                        slice(None, None, -2), slice(s, None)]))
                  for s in shape)
    view = base[index + (Ellipsis,)]
    if view.ndim > 1 and draw(st.booleans()):
        view = view.T
    return view


@given(strided_arrays([np.int8, np.uint8, np.int16, np.int32, np.float32, np.float64]))
def test_to_float32_any_shape_and_strides_matches_reference(x):
    y = af.to_float32(x)
    assert y.shape == x.shape and y.dtype == np.float32 and y.flags.c_contiguous
    np.testing.assert_array_equal(y, ref_to_float32(x))


@given(strided_arrays([np.float32, np.float64]), st.sampled_from(INTS))
def test_from_float32_any_shape_and_strides_matches_reference(x, dtype):
    y = af.from_float32(x, dtype)
    assert y.shape == x.shape and y.dtype == dtype
    np.testing.assert_array_equal(y, ref_from_float(x, dtype))


@given(strided_arrays([np.float32]), st.data())
def test_out_may_be_a_strided_view_and_is_returned(x, data):
    holder = np.full(tuple(s * 2 for s in x.shape), 7, np.int16)
    out = holder[tuple(slice(None, None, 2) for _ in x.shape) + (Ellipsis,)]   # 0-d stays a view
    if out.ndim > 1 and data.draw(st.booleans()):
        out = np.full(x.shape[::-1], 7, np.int16).T
    res = af.float32_to_int16(x, out=out)
    assert res is out
    np.testing.assert_array_equal(out, ref_from_float(x, np.int16))


def test_non_native_byte_order_is_read_correctly(core):
    x = np.arange(-300, 300, 7, dtype=">i2")
    np.testing.assert_array_equal(af.int16_to_float32(x), x.astype(np.float64) / 32768)
    f = np.linspace(-1, 1, 101).astype(">f4")
    np.testing.assert_array_equal(af.float32_to_int16(f), ref_from_float(f, np.int16))
    out = np.zeros(f.shape, ">i2")
    af.float32_to_int16(f, out=out)
    np.testing.assert_array_equal(out, ref_from_float(f, np.int16))


def test_unaligned_buffers_are_read_correctly(core):
    raw = np.arange(-1000, 1000, dtype=np.int16).tobytes()
    x = np.frombuffer(b"\0" + raw, dtype=np.int16, offset=1)     # misaligned by one byte
    assert not x.flags.aligned
    np.testing.assert_array_equal(af.int16_to_float32(x), np.arange(-1000, 1000) / 32768)


def test_out_overlapping_the_input_gives_correct_results(core):
    # int32 -> float32 in place, and an out that overlaps x shifted by one element
    x = np.arange(-50, 50, dtype=np.int32) * 1000
    expected = ref_to_float32(x)
    af.to_float32(x, out=x.view(np.float32))
    np.testing.assert_array_equal(x.view(np.float32), expected)
    buf = np.arange(0, 64, dtype=np.float32) / 64
    expected = ref_to_float32(buf[:-1].copy())
    af.to_float32(buf[:-1], out=buf[1:])
    np.testing.assert_array_equal(buf[1:], expected)


def test_zero_d_and_empty_inputs_keep_their_shape(core):
    assert af.int16_to_float32(np.int16(-16384)).shape == ()
    assert af.int16_to_float32(np.int16(-16384))[()] == -0.5
    for shape in [(0,), (3, 0), (0, 5, 2)]:
        y = af.float32_to_int16(np.zeros(shape, np.float32))
        assert y.shape == shape and y.dtype == np.int16


def test_array_likes_are_accepted_where_their_dtype_fits():
    np.testing.assert_array_equal(af.to_float32([0.5, -0.25]), np.array([0.5, -0.25], np.float32))


# ---------------------------------------------------------------------------------------------
# to_mono

@pytest.mark.parametrize("dtype", [np.int16, np.float32, np.float64, np.uint8])
def test_to_mono_matches_float64_mean(core, rng, dtype):
    if np.dtype(dtype).kind == "f":
        x = rng.standard_normal((2, 1000)).astype(dtype)
    else:
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, (2, 1000), dtype=dtype, endpoint=True)
    ref = ref_to_float32(x) if x.dtype != np.float64 else x
    expected = ref.astype(np.float64).mean(axis=0).astype(np.float32)
    np.testing.assert_array_equal(af.to_mono(x), expected)        # two channels: exact
    np.testing.assert_array_equal(af.to_mono(x.T.copy(), axis=-1), expected)
    np.testing.assert_array_equal(af.to_mono(x.T, axis=1), expected)


@given(strided_arrays([np.int16, np.float32]).filter(lambda a: a.ndim >= 2 and a.shape[0] > 0),
       st.data())
def test_to_mono_any_axis_and_strides(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    if x.shape[axis] == 0:
        return
    ref = ref_to_float32(x).astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        expected = ref.mean(axis=axis).astype(np.float32)
    y = af.to_mono(x, axis=axis)
    assert y.shape == expected.shape and y.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=2e-7, atol=0, equal_nan=True)


def test_to_mono_many_channels_and_nan_propagates(core, rng):
    x = rng.standard_normal((6, 777)).astype(np.float32)
    x[3, 10] = np.nan
    x[0, 20] = np.inf
    y = af.to_mono(x)
    expected = x.astype(np.float64).mean(axis=0).astype(np.float32)
    np.testing.assert_allclose(y, expected, rtol=2e-7, equal_nan=True)
    assert np.isnan(y[10]) and y[20] == np.inf


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.float32])
def test_to_mono_out_is_written_and_returned(core, rng, dtype):
    if np.dtype(dtype).kind == "f":
        x = rng.standard_normal((3000, 2)).astype(dtype)
    else:
        x = rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max, (3000, 2), dtype=dtype)
    expected = ref_to_float32(x).astype(np.float64).mean(axis=1).astype(np.float32)
    buf = np.full(4000, 7.0, np.float32)
    got = af.to_mono(x, axis=-1, out=buf[:3000])
    assert got.base is buf or got.base is buf.base or np.shares_memory(got, buf)
    np.testing.assert_array_equal(buf[:3000], expected)
    assert (buf[3000:] == 7.0).all()                  # nothing written past it
    strided = np.zeros(6000, np.float32)[::2]         # any layout of out
    np.testing.assert_array_equal(af.to_mono(x, axis=-1, out=strided), expected)
    swapped = np.zeros(3000, np.dtype(np.float32).newbyteorder())
    np.testing.assert_array_equal(af.to_mono(x, axis=-1, out=swapped), expected)
    one_d = np.zeros(3000, np.float32)                # 1-D input: already mono, converted
    np.testing.assert_array_equal(af.to_mono(x[:, 0], out=one_d),
                                  ref_to_float32(x[:, 0]).astype(np.float32))


def test_to_mono_out_overlapping_its_input(core):
    x = np.arange(-2000, 2000, dtype=np.float32).reshape(2, 2000) / 4096
    expected = x.astype(np.float64).mean(axis=0).astype(np.float32)
    np.testing.assert_array_equal(af.to_mono(x, out=x[1]), expected)
    np.testing.assert_array_equal(x[1], expected)


def test_bad_to_mono_out():
    x = np.zeros((2, 10), np.float32)
    with pytest.raises(TypeError, match="to_mono: out must have dtype float32, got float64"):
        af.to_mono(x, out=np.zeros(10))
    with pytest.raises(TypeError, match="to_mono: out must be a numpy.ndarray, got list"):
        af.to_mono(x, out=[0.0] * 10)
    with pytest.raises(ValueError, match=r"to_mono: out must have shape \(10,\), got \(2, 10\)"):
        af.to_mono(x, out=np.zeros((2, 10), np.float32))
    ro = np.zeros(10, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        af.to_mono(x, out=ro)
    with pytest.raises(ValueError, match="to_mono: out must have shape"):
        af.to_mono(x[0], out=np.zeros(9, np.float32))


def test_to_mono_of_one_d_is_already_mono(core):
    x = np.array([-16384, 0, 16384], np.int16)
    np.testing.assert_array_equal(af.to_mono(x), [-0.5, 0.0, 0.5])


# ---------------------------------------------------------------------------------------------
# Raw PCM bytes

def _bits_to_int(sample: bytes, signed: bool) -> int:
    """Little-endian bytes -> integer, assembled one bit at a time; two's complement if signed."""
    v = 0
    for k, byte in enumerate(sample):
        for j in range(8):
            if (byte >> j) & 1:
                v |= 1 << (8 * k + j)
    top = 8 * len(sample) - 1
    if signed and (v >> top) & 1:
        v -= 1 << (top + 1)
    return v


def _int_to_bits(v: int, width: int) -> bytes:
    """Integer -> `width` little-endian bytes, one bit at a time (two's complement)."""
    v &= (1 << (8 * width)) - 1
    out = bytearray(width)
    for i in range(8 * width):
        if (v >> i) & 1:
            out[i // 8] |= 1 << (i % 8)
    return bytes(out)


def ref_pcm_decode(buf, width, channels):
    """Bit-by-bit reference decoder."""
    buf = bytes(buf)
    vals = []
    for i in range(len(buf) // width):
        v = _bits_to_int(buf[i * width:(i + 1) * width], signed=width > 1)
        vals.append((v - 128) / 128 if width == 1 else v / 2.0 ** (8 * width - 1))
    return np.array(vals, np.float64).reshape(-1, channels).T.astype(np.float32)


def ref_pcm_encode(x, width):
    """float64 quantisation (np.rint, np.clip), then bit-by-bit packing, frame by frame."""
    x = np.atleast_2d(np.asarray(x))
    bits = 8 * width
    with np.errstate(invalid="ignore", over="ignore"):
        v = x.astype(np.float64) * 2.0 ** (bits - 1)
        v = np.where(np.isnan(v), 0.0, v)
        v = np.clip(np.rint(v), -(2.0 ** (bits - 1)), 2.0 ** (bits - 1) - 1)
    out = bytearray()
    for q in v.T.reshape(-1).astype(np.int64):
        out += _int_to_bits(int(q) + 128 if width == 1 else int(q), width)
    return bytes(out)


def test_bit_references_agree_with_int_from_bytes():
    # the references themselves, against Python's own integer codec
    for b in (b"\x00\x00\x80", b"\xff\xff\x7f", b"\x01\x02\x03", b"\xfe\xff\xff\xff", b"\x80"):
        assert _bits_to_int(b, True) == int.from_bytes(b, "little", signed=True)
        assert _int_to_bits(int.from_bytes(b, "little", signed=True), len(b)) == b


@given(st.sampled_from([1, 2, 3, 4]), st.integers(1, 5), st.integers(0, 40), st.data())
def test_pcm_decode_matches_per_byte_reference(width, channels, frames, data):
    buf = data.draw(st.binary(min_size=width * channels * frames,
                              max_size=width * channels * frames))
    y = af.pcm_to_float32(buf, sample_width=width, channels=channels)
    assert y.shape == (channels, frames) and y.dtype == np.float32 and y.flags.c_contiguous
    np.testing.assert_array_equal(y, ref_pcm_decode(buf, width, channels))


@given(st.sampled_from([1, 2, 3, 4]), st.integers(1, 4), st.integers(0, 30), st.data())
def test_pcm_encode_matches_per_byte_reference(width, channels, frames, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    x = data.draw(hnp.arrays(dtype, (channels, frames), elements=st.one_of(
        st.floats(-1.125, 1.125, width=np.dtype(dtype).itemsize * 8),
        st.sampled_from([np.nan, np.inf, -np.inf, 1.0, -1.0]))))
    assert af.float32_to_pcm(x, sample_width=width) == ref_pcm_encode(x, width)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_pcm_encode_long_buffers_cross_block_boundaries(core, rng, width, channels):
    # the encoder works in blocks of frames; 1500 frames cross two block boundaries
    x = (rng.standard_normal((channels, 1500)) * 0.5).astype(np.float32)
    x[:, ::97] = 2.0
    assert af.float32_to_pcm(x, sample_width=width) == ref_pcm_encode(x, width)


def ref_pcm_decode_numpy(buf, width, channels):
    """Vectorised reference for long buffers: bytes assembled into int64 with shifts, sign taken
    from the top bit (agrees with the bit-by-bit one, see test_pcm_decode_matches_per_byte_...)."""
    b = np.frombuffer(buf, np.uint8).reshape(-1, width).astype(np.int64)
    v = sum(b[:, k] << (8 * k) for k in range(width))
    if width == 1:
        v = v - 128
    else:
        v = np.where(v >= 2 ** (8 * width - 1), v - 2 ** (8 * width), v)
    return (v / 2.0 ** (8 * width - 1)).astype(np.float32).reshape(-1, channels).T


@pytest.mark.parametrize("width", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 2, 3, 6])
def test_pcm_decode_every_length_covers_vector_body_tail_and_blocks(core, rng, width, channels):
    # mono and stereo 24-bit have a vector loop that stops short of the buffer's end; more than
    # two channels are deinterleaved in blocks of 512 frames
    for frames in list(range(0, 70)) + [511, 512, 513, 1100]:
        buf = rng.integers(0, 256, frames * channels * width, dtype=np.uint8).tobytes()
        y = af.pcm_to_float32(buf, sample_width=width, channels=channels)
        np.testing.assert_array_equal(y, ref_pcm_decode_numpy(buf, width, channels),
                                      err_msg=f"{frames} frames")


@pytest.mark.parametrize("width", [1, 2, 3])
def test_pcm_bytes_round_trip_is_lossless_up_to_24_bit(core, rng, width):
    buf = rng.integers(0, 256, 6 * 3000, dtype=np.uint8).tobytes()
    y = af.pcm_to_float32(buf, sample_width=width, channels=2)
    assert af.float32_to_pcm(y, sample_width=width) == buf


def test_pcm_24_bit_sign_extension_and_extremes(core):
    buf = bytes([0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00])
    y = af.pcm_to_float32(buf, sample_width=3)
    np.testing.assert_array_equal(y[0], np.array([-1.0, 1 - 2.0 ** -23, -(2.0 ** -23), 2.0 ** -23],
                                                 np.float32))


def test_pcm_accepts_every_buffer_kind(core):
    x = np.array([[1, -2, 300], [-4, 5, -32768]], np.int16)
    raw = x.T.tobytes()                                # interleaved
    expected = x.astype(np.float32) / 32768
    for buf in (raw, bytearray(raw), memoryview(raw), np.frombuffer(raw, np.int16),
                np.frombuffer(raw, np.uint8)):
        np.testing.assert_array_equal(af.pcm_to_float32(buf, sample_width=2, channels=2),
                                      expected)
    # a non-contiguous numpy array is read as its bytes in C order
    strided = np.frombuffer(raw + raw, np.int16).reshape(2, -1)[:, :6]
    np.testing.assert_array_equal(
        af.pcm_to_float32(strided[:1], sample_width=2, channels=2), expected)


def test_pcm_stereo_deinterleaves_against_int16_reference(core, rng):
    x = rng.integers(-32768, 32767, (4000, 2), dtype=np.int16, endpoint=True)
    y = af.pcm_to_float32(x.tobytes(), sample_width=2, channels=2)
    np.testing.assert_array_equal(y, x.T / np.float32(32768))


def test_float32_to_pcm_mono_one_d_and_empty(core):
    assert af.float32_to_pcm(np.array([0.5, -1.0], np.float32), sample_width=2) == \
        np.array([16384, -32768], "<i2").tobytes()
    assert af.float32_to_pcm(np.zeros((2, 0), np.float32), sample_width=3) == b""
    assert af.pcm_to_float32(b"", sample_width=3, channels=2).shape == (2, 0)


# ---------------------------------------------------------------------------------------------
# G.711 against audioop, which implements the reference coder (Sun's g711.c)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)     # the stdlib module, 3.11 and 3.12
    try:
        import audioop as _audioop
    except ImportError:
        _audioop = None


@pytest.fixture(scope="module")
def audioop():
    """The reference. Missing is a failure, not a skip: the test extra installs audioop-lts
    where the stdlib has no audioop (Python 3.13+)."""
    if _audioop is None:
        pytest.fail(f"the G.711 reference is missing: Python {sys.version_info.major}."
                    f"{sys.version_info.minor} has no audioop; pip install audioop-lts (part of "
                    f"the test extra: pip install \".[test]\")")
    return _audioop


LAWS = {   # law -> (decode, encode, audioop's code -> int16, audioop's int16 -> code)
    "mulaw": (af.ulaw_to_float32, af.float32_to_ulaw, "ulaw2lin", "lin2ulaw"),
    "alaw": (af.alaw_to_float32, af.float32_to_alaw, "alaw2lin", "lin2alaw"),
}
ALL_CODES = bytes(range(256))
ALL_INT16 = np.arange(-32768, 32768).astype(np.int16)


def ref_g711_decode(audioop, law, buf):
    """int16_to_float32 of audioop's linear values: what decoding must equal, bit for bit."""
    return af.int16_to_float32(np.frombuffer(getattr(audioop, LAWS[law][2])(bytes(buf), 2),
                                             "<i2"))


def ref_g711_encode(audioop, law, x):
    """audioop's codes of the int16 quantisation (the float64 reference of from_float32)."""
    return getattr(audioop, LAWS[law][3])(ref_from_float(x, np.int16).astype("<i2").tobytes(), 2)


def assert_same_bits(a, b):
    """Equal as float32 bit patterns: -0.0 differs from +0.0 here."""
    assert a.dtype == b.dtype == np.float32 and a.shape == b.shape
    np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))


@pytest.mark.parametrize("law", LAWS)
def test_g711_decode_matches_audioop_for_all_256_codes_bit_for_bit(core, audioop, law):
    decode = LAWS[law][0]
    y = decode(ALL_CODES)
    assert y.shape == (256,) and y.flags.c_contiguous
    assert_same_bits(y, ref_g711_decode(audioop, law, ALL_CODES))
    # every code in every position of the vector loops (16 codes a step) and their scalar tails,
    # from every alignment of the output (the loop peels to 32 bytes)
    for shift in range(0, 256, 5):
        rotated = ALL_CODES[shift:] + ALL_CODES[:shift]
        for n in (1, 7, 15, 16, 17, 33, 47, 255, 256):
            assert_same_bits(decode(rotated[:n]), ref_g711_decode(audioop, law, rotated[:n]))


def test_g711_zero_codes_decode_to_positive_zero(core):
    # mu-law has two zeros (0x7F, 0xFF); int16 0 -> float32 is +0.0 for both. A-law has none.
    for n in (1, 16, 40):
        y = af.ulaw_to_float32(b"\x7f\xff" * n)
        assert not np.signbit(y).any() and not y.any()
    assert np.abs(af.alaw_to_float32(b"\xd5\x55")).min() * 32768 == 8


@pytest.mark.parametrize("law", LAWS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_g711_encode_matches_audioop_for_all_65536_int16_values(core, audioop, law, dtype):
    # float32 takes the vector loop (and its tail), float64 the scalar loop: all 65,536 values
    # through each, exactly representable, then at the rounding ties and beside them
    encode = LAWS[law][1]
    x = ALL_INT16.astype(np.float64)
    for offset in (0.0, 0.5, -0.5, 0.25, -0.375):
        v = ((x + offset) / 32768).astype(dtype)
        assert encode(v) == ref_g711_encode(audioop, law, v), offset
    # and exactly what the definition says: audioop of float32_to_int16
    v = (x / 32768).astype(np.float32)
    assert encode(v) == getattr(audioop, LAWS[law][3])(af.float32_to_int16(v).tobytes(), 2)


@pytest.mark.parametrize("law", LAWS)
def test_g711_encode_saturates_and_sends_nan_to_zero_as_float32_to_int16(core, audioop, law):
    encode = LAWS[law][1]
    specials = edge_values(16)
    for dtype in FLOATS:
        x = specials.astype(dtype)
        assert encode(x) == ref_g711_encode(audioop, law, x)
    x = np.array([np.nan, np.inf, -np.inf, 1.0, -1.0, 1e30, -1e30, -0.0, 0.0], np.float32)
    codes = encode(np.tile(x, 3))                   # 27 samples: vector loop and tail
    assert codes == encode(np.tile(af.to_float32(af.float32_to_int16(x)), 3))
    assert codes[:3] == encode(np.array([0.0, 32767 / 32768, -1.0], np.float32))


@pytest.mark.parametrize("law", LAWS)
def test_g711_every_length_covers_vector_body_and_tail(core, rng, audioop, law):
    decode, encode = LAWS[law][:2]
    for n in list(range(0, 70)) + [1000, 4099]:
        x = (rng.standard_normal(n) * 0.5).astype(np.float32)
        x[::7] = np.nan
        x[3::11] = 1.5
        x[5::13] = -np.inf
        codes = encode(x)
        assert isinstance(codes, bytes) and len(codes) == n
        assert codes == ref_g711_encode(audioop, law, x), n
        buf = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert_same_bits(decode(buf), ref_g711_decode(audioop, law, buf))


@pytest.mark.parametrize("law", LAWS)
def test_g711_decode_accepts_every_buffer_kind_as_its_raw_bytes(core, audioop, law):
    decode = LAWS[law][0]
    raw = bytes(range(7, 107))
    expected = ref_g711_decode(audioop, law, raw)
    arr = np.frombuffer(raw, np.uint8)
    with mmap.mmap(-1, len(raw)) as mm:
        mm.write(raw)
        kinds = [raw, bytearray(raw), memoryview(raw), arr, arr.view(np.int16),
                 memoryview(raw).cast("B", (10, 10)), mm]
        for buf in kinds:
            assert_same_bits(decode(buf), expected)
    # non-contiguous buffers are read in C order
    doubled = np.frombuffer(bytes(b for b in raw for _ in range(2)), np.uint8)
    assert_same_bits(decode(doubled[::2]), expected)
    assert_same_bits(decode(memoryview(bytes(doubled))[::2]), expected)
    empty = decode(b"")
    assert empty.shape == (0,) and empty.dtype == np.float32


def test_g711_decode_holds_a_bytearray_while_the_gil_is_released(core):
    # the kernel holds the bytearray's buffer: resizing it from another thread meanwhile raises
    # BufferError in that thread instead of freeing memory under the loop
    buf = bytearray(b"\x80" * 4_000_000)
    stop = threading.Event()
    refused = []

    def resize():                   # grow by one byte, shrink back; retry while refused
        grown = False
        while not stop.is_set() or grown:
            try:
                if grown:
                    del buf[-1:]
                else:
                    buf.extend(b"\x00")
                grown = not grown
            except BufferError:
                refused.append(1)

    t = threading.Thread(target=resize)
    t.start()
    try:
        for _ in range(20):
            y = af.ulaw_to_float32(buf)     # between calls the other thread may hold one more byte
            assert y.shape in ((4_000_000,), (4_000_001,))
            assert (y[:4_000_000] == np.float32(32124 / 32768)).all()
            assert y[4_000_000:].tolist() in ([], [-32124 / 32768])
    finally:
        stop.set()
        t.join()


@pytest.mark.parametrize("law", LAWS)
def test_g711_encode_accepts_views_byte_orders_and_float64(core, rng, audioop, law):
    encode = LAWS[law][1]
    base = (rng.standard_normal(301) * 0.4).astype(np.float32)
    expected = ref_g711_encode(audioop, law, base[::-3])
    assert encode(base[::-3]) == expected                                  # strided view
    assert encode(base[::-3].astype(">f4")) == expected                    # byte-swapped
    raw = np.frombuffer(b"\0" + base[::-3].tobytes(), np.float32, offset=1)  # unaligned
    assert encode(raw) == expected
    assert encode(base[::-3].astype(np.float64)) == expected               # float64, same values
    assert encode(list(base[:5].astype(np.float64))) == ref_g711_encode(audioop, law, base[:5])
    assert encode(np.zeros(0, np.float32)) == b""


@given(st.sampled_from(list(LAWS)), st.data())
def test_g711_encode_matches_audioop_on_any_values(audioop, law, data):
    dtype = data.draw(st.sampled_from(FLOATS))
    width = np.dtype(dtype).itemsize * 8
    x = data.draw(hnp.arrays(dtype, st.integers(0, 80), elements=st.one_of(
        st.floats(-1.125, 1.125, width=width),
        st.floats(width=width, allow_nan=True, allow_infinity=True))))
    assert LAWS[law][1](x) == ref_g711_encode(audioop, law, x)


@given(st.sampled_from(list(LAWS)), st.binary(max_size=200))
def test_g711_decode_matches_audioop_on_any_bytes(audioop, law, buf):
    assert_same_bits(LAWS[law][0](buf), ref_g711_decode(audioop, law, buf))


@pytest.mark.parametrize("law", LAWS)
def test_g711_decoded_values_encode_back_to_their_codes(core, law):
    # decode -> encode is the identity on codes, except mu-law's negative zero (0x7F), which
    # decodes to 0.0 like 0xFF and so comes back as 0xFF
    decode, encode = LAWS[law][:2]
    back = encode(decode(ALL_CODES))
    expected = ALL_CODES if law == "alaw" else ALL_CODES.replace(b"\x7f", b"\xff")
    assert back == expected


@pytest.mark.parametrize("law", LAWS)
def test_g711_builds_agree_on_all_inputs(law):
    # the portable and AVX2 builds (where this CPU runs both) give the same bits
    from audiofast import _dispatch
    builds = list(_dispatch.available().values())
    x = (ALL_INT16.astype(np.float64) / 32768 + 0.4 / 32768).astype(np.float32)
    code = _dispatch.portable.ULAW if law == "mulaw" else _dispatch.portable.ALAW
    results = [(b.g711_encode(x, code), b.g711_decode(ALL_CODES * 3, code).tobytes())
               for b in builds]
    assert all(r == results[0] for r in results)


def test_bad_g711_arguments():
    for encode in (af.float32_to_ulaw, af.float32_to_alaw):
        with pytest.raises(ValueError, match=r"one channel, of shape \(frames,\).*\(2, 160\)"):
            encode(np.zeros((2, 160), np.float32))
        with pytest.raises(ValueError, match=r"G.711 streams are mono; got shape \(\)"):
            encode(np.float32(0.5))
        with pytest.raises(TypeError, match="x must have dtype float32, float64, got int16"):
            encode(np.zeros(3, np.int16))
    for decode in (af.ulaw_to_float32, af.alaw_to_float32):
        with pytest.raises(TypeError, match="buf must be a bytes-like object"):
            decode("abc")
        with pytest.raises(TypeError, match="buf must hold raw PCM bytes"):
            decode(np.array([None]))


# ---------------------------------------------------------------------------------------------
# Bad input: clear errors naming the parameter

@pytest.mark.parametrize("func, bad, expected_in_message", [
    (af.int16_to_float32, np.zeros(3, np.float32), "int16"),
    (af.int16_to_float32, np.zeros(3, np.int32), "int16"),
    (af.int16_to_float32, [1, 2], "int16"),                 # Python ints are int64
    (af.float32_to_int16, np.zeros(3, np.float64), "float32"),
    (af.float32_to_int16, np.zeros(3, np.int16), "float32"),
    (af.to_float32, np.zeros(3, np.complex64), "complex64"),
    (af.to_float32, np.zeros(3, np.int64), "int64"),
    (af.to_float32, np.zeros(3, bool), "bool"),
    (af.to_float32, np.array(["a"]), "<U1"),
    (af.to_float32, np.array([None]), "object"),
    (af.to_mono, np.zeros((2, 3), np.uint16), "uint16"),
])
def test_wrong_input_dtype_is_a_type_error_naming_it(func, bad, expected_in_message):
    with pytest.raises(TypeError, match="x must have dtype") as e:
        func(bad)
    assert expected_in_message in str(e.value)


def test_from_float32_bad_target_dtype_is_a_type_error():
    x = np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="dtype must be one of int8, uint8, int16, int32"):
        af.from_float32(x, np.float32)
    with pytest.raises(TypeError, match="dtype must be a numpy dtype"):
        af.from_float32(x, "not-a-dtype")
    with pytest.raises(TypeError, match="x must have dtype float32, float64"):
        af.from_float32(np.zeros(3, np.int16), np.int16)


def test_bad_out_is_rejected_naming_what_is_wrong():
    x = np.zeros((2, 3), np.int16)
    with pytest.raises(TypeError, match="out must have dtype float32, got float64"):
        af.int16_to_float32(x, out=np.zeros((2, 3), np.float64))
    with pytest.raises(ValueError, match=r"out must have shape \(2, 3\), got \(3, 2\)"):
        af.int16_to_float32(x, out=np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match=r"out must have shape"):
        af.int16_to_float32(x, out=np.zeros(6, np.float32))
    with pytest.raises(TypeError, match="out must be a numpy.ndarray, got list"):
        af.int16_to_float32(x, out=[0.0] * 6)
    ro = np.zeros((2, 3), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        af.int16_to_float32(x, out=ro)


def test_bad_pcm_arguments():
    with pytest.raises(ValueError, match="not a multiple of sample_width \\* channels = 6"):
        af.pcm_to_float32(b"\0" * 7, sample_width=3, channels=2)
    with pytest.raises(ValueError, match="sample_width must be 1, 2, 3 or 4"):
        af.pcm_to_float32(b"\0" * 8, sample_width=5)
    with pytest.raises(ValueError, match="sample_width must be 1, 2, 3 or 4"):
        af.pcm_to_float32(b"", sample_width=0)
    with pytest.raises(TypeError, match="sample_width must be an integer, got float"):
        af.pcm_to_float32(b"\0" * 8, sample_width=2.0)
    with pytest.raises(TypeError, match="sample_width must be an integer, got bool"):
        af.pcm_to_float32(b"\0" * 8, sample_width=True)
    with pytest.raises(ValueError, match="channels must be >= 1, got 0"):
        af.pcm_to_float32(b"\0" * 8, sample_width=2, channels=0)
    with pytest.raises(TypeError, match="buf must be a bytes-like object"):
        af.pcm_to_float32("abcd", sample_width=2)
    with pytest.raises(TypeError, match="buf must hold raw PCM bytes"):
        af.pcm_to_float32(np.array([None, None]), sample_width=1)
    with pytest.raises(TypeError):
        af.pcm_to_float32(b"\0" * 8, 2)                     # keyword-only
    with pytest.raises(ValueError, match=r"shape \(frames,\) or \(channels, frames\)"):
        af.float32_to_pcm(np.zeros((1, 2, 3), np.float32), sample_width=2)
    with pytest.raises(TypeError, match="x must have dtype float32, float64, got int16"):
        af.float32_to_pcm(np.zeros(3, np.int16), sample_width=2)
    with pytest.raises(ValueError, match="sample_width must be 1, 2, 3 or 4"):
        af.float32_to_pcm(np.zeros(3, np.float32), sample_width=8)


def test_bad_to_mono_arguments():
    with pytest.raises(ValueError, match="at least one dimension"):
        af.to_mono(np.float32(1.0))
    with pytest.raises(ValueError, match="axis"):
        af.to_mono(np.zeros((2, 3), np.float32), axis=2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        af.to_mono(np.zeros((2, 3), np.float32), axis=0.0)
    with pytest.raises(ValueError, match="no channels"):
        af.to_mono(np.zeros((0, 3), np.float32))


# ---------------------------------------------------------------------------------------------
# Threads

def test_threads_converting_at_once_give_correct_results(rng):
    inputs = [(rng.standard_normal(200_000) * 0.8).astype(np.float32) for _ in range(8)]
    expected = [ref_from_float(x, np.int16) for x in inputs]
    expected_ulaw = [af.float32_to_ulaw(x) for x in inputs]
    decoded_ulaw = [af.ulaw_to_float32(u) for u in expected_ulaw]
    start = threading.Barrier(4)

    def work(i):
        start.wait() if i < 4 else None
        x = inputs[i]
        for _ in range(5):
            q = af.float32_to_int16(x)
            f = af.int16_to_float32(q)
            b = af.float32_to_pcm(f, sample_width=3)
            back = af.pcm_to_float32(b, sample_width=3)[0]
            u = af.float32_to_ulaw(f)
            if not (np.array_equal(q, expected[i]) and np.array_equal(back, f)
                    and u == expected_ulaw[i]
                    and np.array_equal(af.ulaw_to_float32(u), decoded_ulaw[i])):
                return False
        return True

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(work, range(8)))


def test_version_is_exposed():
    assert isinstance(af.__version__, str) and af.__version__.count(".") >= 2

"""audiofast.io against soundfile (libsndfile) itself: what `read` returns is what
``soundfile.read(path, dtype).T`` returns, bit for bit; `write` quantises as audiofast's
conversions do; round trips for every subtype; blocks; bad files and bad arguments."""
import os

import numpy as np
import pytest

import audiofast as af
import audiofast.io as aio

sf = pytest.importorskip("soundfile", reason="the files extra: pip install 'audiofast[files]'")

# (format, subtype, exact: values on the subtype's grid come back unchanged)
SUBTYPES = [("wav", "PCM_16"), ("wav", "PCM_24"), ("wav", "PCM_32"), ("wav", "FLOAT"),
            ("wav", "DOUBLE"), ("wav", "PCM_U8"), ("wav", "ULAW"), ("wav", "ALAW"),
            ("flac", "PCM_16"), ("flac", "PCM_24"), ("flac", "PCM_S8"), ("ogg", "VORBIS")]
GRID_BITS = {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "PCM_U8": 8, "PCM_S8": 8}


def signal(channels, frames, seed=0, scale=0.4):
    rng = np.random.default_rng(seed)
    return np.clip(rng.standard_normal((channels, frames)) * scale, -1, 1).astype(np.float32)


@pytest.mark.parametrize("fmt, subtype", SUBTYPES)
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_read_equals_soundfile_and_round_trips(tmp_path, fmt, subtype, channels):
    x = signal(channels, 3001)
    path = tmp_path / f"x.{fmt}"
    aio.write(path, x, 16000, subtype=subtype)
    got, rate = aio.read(path)
    ref = sf.read(path, dtype="float32", always_2d=True)[0].T
    assert rate == 16000 and got.dtype == np.float32 and got.flags.c_contiguous
    np.testing.assert_array_equal(got, ref)
    assert got.shape[0] == channels
    meta = aio.info(path)
    assert (meta.sample_rate, meta.channels, meta.subtype) == (16000, channels, subtype)
    assert meta.frames == got.shape[1] and meta.duration_s == got.shape[1] / 16000
    if subtype in ("FLOAT", "DOUBLE"):
        np.testing.assert_array_equal(got, x)
    elif subtype in GRID_BITS:
        bits = GRID_BITS[subtype]
        # quantised as audiofast quantises: round half to even to the subtype's grid
        want = np.clip(np.rint(x.astype(np.float64) * 2.0 ** (bits - 1)),
                       -2.0 ** (bits - 1), 2.0 ** (bits - 1) - 1) / 2.0 ** (bits - 1)
        np.testing.assert_array_equal(got, want.astype(np.float32))
        again = tmp_path / f"again.{fmt}"
        aio.write(again, got, 16000, subtype=subtype)            # on the grid: unchanged
        np.testing.assert_array_equal(aio.read(again)[0], got)
    elif subtype in ("ULAW", "ALAW"):
        assert np.max(np.abs(got - x)) < 0.02
    else:                                                        # lossy codec
        assert got.shape == x.shape


@pytest.mark.parametrize("dtype", ["int16", "int32", "float64"])
def test_read_other_dtypes_are_soundfiles(tmp_path, dtype):
    path = tmp_path / "x.wav"
    aio.write(path, signal(2, 1000), 8000, subtype="PCM_24")
    got, _ = aio.read(path, dtype=dtype)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, sf.read(path, dtype=dtype, always_2d=True)[0].T)


def test_write_quantises_like_float32_to_int16(tmp_path):
    x = np.array([[0.0, 0.5, -1.0, 1.0, 2.0, -3.0, np.nan, np.inf, -np.inf, 1e-5]],
                 np.float32)
    path = tmp_path / "q.wav"
    aio.write(path, x, 16000)
    raw = sf.read(path, dtype="int16", always_2d=True)[0][:, 0]
    np.testing.assert_array_equal(raw, af.float32_to_int16(x[0]))


def test_write_takes_frames_channels_with_axis0_and_integer_input(tmp_path):
    x = signal(2, 500)
    aio.write(tmp_path / "a.wav", x.T, 16000, axis=0, subtype="FLOAT")
    np.testing.assert_array_equal(aio.read(tmp_path / "a.wav")[0], x)
    q = af.float32_to_int16(x)
    aio.write(tmp_path / "b.wav", q, 16000)
    np.testing.assert_array_equal(aio.read(tmp_path / "b.wav", dtype="int16")[0], q)
    aio.write(tmp_path / "m.flac", x[0], 22050)                 # 1-D: one channel
    assert aio.read(tmp_path / "m.flac")[0].shape == (1, 500)


def test_start_and_frames_and_blocks(tmp_path):
    x = signal(2, 10007)
    path = tmp_path / "x.wav"
    aio.write(path, x, 16000, subtype="FLOAT")
    np.testing.assert_array_equal(aio.read(path, start=100, frames=50)[0], x[:, 100:150])
    np.testing.assert_array_equal(aio.read(path, start=10000)[0], x[:, 10000:])
    assert aio.read(path, start=20000)[0].shape == (2, 0)
    assert aio.read(path, frames=0)[0].shape == (2, 0)
    parts = list(aio.blocks(path, 1000))
    assert [p.shape[1] for p in parts] == [1000] * 10 + [7]
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), x)
    parts = list(aio.blocks(path, 3000, start=5, frames=7000))
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), x[:, 5:7005])


def test_writer_appends_blocks(tmp_path):
    x = signal(2, 4000)
    with aio.Writer(tmp_path / "w.flac", 44100, 2) as w:
        for i in range(0, 4000, 999):
            w.write(x[:, i:i + 999])
        w.write(np.zeros((2, 0), np.float32))
        assert w.frames == 4000
    got, rate = aio.read(tmp_path / "w.flac")
    assert rate == 44100
    np.testing.assert_array_equal(got, aio.read(tmp_path / "w.flac")[0])
    assert np.max(np.abs(got - x)) <= 2 ** -15


def test_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        aio.read(tmp_path / "missing.wav")
    with pytest.raises(IsADirectoryError):
        aio.info(tmp_path)
    (tmp_path / "text.wav").write_text("not audio at all")
    with pytest.raises(aio.AudioFileError, match="text.wav"):
        aio.read(tmp_path / "text.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(aio.AudioFileError, match="empty.wav"):
        aio.info(tmp_path / "empty.wav")
    # cut in half: libsndfile reads a WAV's frames up to the cut (its length comes from the
    # file size), while a FLAC's decoder loses sync, which is an error
    x = signal(1, 8000)
    aio.write(tmp_path / "whole.wav", x, 16000)
    data = (tmp_path / "whole.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[:len(data) // 2])
    got = np.concatenate(list(aio.blocks(tmp_path / "cut.wav", 1000)), axis=1)
    assert 0 < got.shape[1] < 8000
    np.testing.assert_array_equal(got, aio.read(tmp_path / "whole.wav")[0][:, :got.shape[1]])
    assert aio.info(tmp_path / "cut.wav").truncated                 # and info says so
    assert not aio.info(tmp_path / "whole.wav").truncated
    aio.write(tmp_path / "whole.flac", signal(1, 80000), 16000)
    data = (tmp_path / "whole.flac").read_bytes()
    (tmp_path / "cut.flac").write_bytes(data[:len(data) // 2])
    with pytest.raises(aio.AudioFileError, match="cut.flac"):
        list(aio.blocks(tmp_path / "cut.flac", 1000))


@pytest.mark.parametrize("call, exc, match", [
    (lambda p: aio.read(p, dtype="int8"), ValueError, "dtype must be one of"),
    (lambda p: aio.read(p, start=-1), ValueError, "start must be >= 0"),
    (lambda p: aio.read(p, frames=-2), ValueError, "frames must be >= 0"),
    (lambda p: aio.read(p, start=1.5), TypeError, "start must be an integer"),
    (lambda p: aio.read(3), TypeError, "path must be a str"),
    (lambda p: list(aio.blocks(p, 0)), ValueError, "blocksize must be >= 1"),
    (lambda p: aio.write(p, np.zeros(10, np.float32), 0), ValueError, "sample_rate"),
    (lambda p: aio.write(p, np.zeros(10, np.float32), 16000.5), TypeError, "sample_rate"),
    (lambda p: aio.write(p, np.zeros(10, np.complex64), 16000), TypeError, "dtype"),
    (lambda p: aio.write(p, np.zeros((2, 3, 4), np.float32), 16000), ValueError, "shape"),
    (lambda p: aio.write(p, np.zeros((48000, 2), np.float32), 16000), ValueError, "axis=0"),
    (lambda p: aio.write(p, np.zeros(10, np.float32), 16000, subtype="FLOAT",
                         format="FLAC"), ValueError, "cannot hold subtype"),
    (lambda p: aio.write(p, np.zeros(10, np.float32), 16000, format="NOPE"), ValueError,
     "unknown format"),
    (lambda p: aio.write(os.path.splitext(p)[0], np.zeros(10, np.float32), 16000), ValueError,
     "no extension"),
])
def test_bad_arguments(tmp_path, call, exc, match):
    path = str(tmp_path / "x.wav")
    aio.write(path, signal(1, 100), 16000)
    with pytest.raises(exc, match=match):
        call(path)


def test_writer_checks_channels(tmp_path):
    with aio.Writer(tmp_path / "w.wav", 16000, 2) as w:
        with pytest.raises(ValueError, match="1 channel"):
            w.write(np.zeros(10, np.float32))


@pytest.mark.parametrize("ext, subtype", [("wav", "PCM_16"), ("wav", "PCM_24"), ("wav", "FLOAT"),
                                          ("aiff", "PCM_16")])
def test_truncated_is_a_header_promising_more_than_the_file_holds(tmp_path, ext, subtype):
    import struct
    x = signal(2, 4000)
    whole = tmp_path / f"whole.{ext}"
    aio.write(whole, x, 16000, subtype=subtype)
    assert not aio.info(whole).truncated
    data = whole.read_bytes()
    for cut in (len(data) // 2, len(data) - 1):
        part = tmp_path / f"part.{ext}"
        part.write_bytes(data[:cut])
        meta = aio.info(part)
        assert meta.truncated and meta.frames < 4000, (cut, meta)
    if ext == "wav":
        # a header a streaming writer could not finish (length 0xFFFFFFFF): whole, not cut
        b = bytearray(data)
        at = b.find(b"data") + 4
        b[at:at + 4] = struct.pack("<I", 0xFFFFFFFF)
        (tmp_path / "stream.wav").write_bytes(bytes(b))
        meta = aio.info(tmp_path / "stream.wav")
        assert not meta.truncated and meta.frames == 4000

"""The usual layouts: (frames, channels) audio is refused with a message that names axis where
the default axis would give nonsense, and gives the right answer with the right axis; int32 is
taken wherever floats are; streams start anew after flush. References: the channels-first
answer of the same function, numpy."""
import numpy as np
import pytest

import audiofast as af


@pytest.fixture
def stereo(rng):
    """One second of 48 kHz stereo as soundfile gives it: (frames, channels), float32."""
    x = (rng.standard_normal((48000, 2)) * 0.1).astype(np.float32)
    x[12000:30000] *= 20                       # something for the VAD to find
    return x


@pytest.mark.parametrize("call", [
    lambda x: af.to_mono(x),
    lambda x: af.resample(x, 48000, 16000),
    lambda x: af.vad(x, 48000),
    lambda x: af.frame_rms(x),
    lambda x: af.float32_to_pcm(x, sample_width=2),
], ids=["to_mono", "resample", "vad", "frame_rms", "float32_to_pcm"])
def test_frames_channels_audio_with_the_default_axis_is_refused_naming_axis(stereo, call):
    with pytest.raises(ValueError, match=r"\(frames, channels\) audio pass axis="):
        call(stereo)


def test_frames_channels_audio_with_the_right_axis_gives_the_channels_first_answer(stereo):
    planar = np.ascontiguousarray(stereo.T)
    np.testing.assert_array_equal(af.to_mono(stereo, axis=-1), af.to_mono(planar))
    np.testing.assert_array_equal(af.resample(stereo, 48000, 16000, axis=0),
                                  af.resample(planar, 48000, 16000).T)
    ours, ref = af.vad(stereo, 48000, axis=0), af.vad(planar, 48000)
    np.testing.assert_array_equal(ours.segments, ref.segments)
    assert len(ref.segments) == 1
    np.testing.assert_array_equal(af.frame_rms(stereo, axis=0),
                                  np.moveaxis(af.frame_rms(planar), (-2, -1), (0, 1)))
    assert af.frame_rms(stereo, axis=0).shape == (1, 94, 2)
    assert af.float32_to_pcm(stereo, sample_width=3, axis=0) == \
        af.float32_to_pcm(planar, sample_width=3)
    # interleaved bytes are the (frames, channels) array's own C order
    assert af.float32_to_pcm(stereo, sample_width=2, axis=0) == \
        af.float32_to_int16(stereo).tobytes()


@pytest.mark.parametrize("shape", [(2, 0), (2, 1), (1, 5), (64, 64), (8, 65), (3, 1000)])
def test_short_and_plausible_layouts_are_left_alone(shape):
    x = np.zeros(shape, np.float32)
    assert af.to_mono(x).shape == shape[1:]
    assert af.resample(x, 32000, 16000).shape == (shape[0], -(-shape[1] // 2))
    assert len(af.float32_to_pcm(x, sample_width=2)) == 2 * x.size
    assert af.vad(x, 16000).segments.shape == (0, 2)


def test_many_channels_are_refused_where_channels_are_mixed_but_not_for_batches():
    batch = np.zeros((100, 1000), np.float32)         # 100 independent signals
    assert af.resample(batch, 16000, 8000).shape == (100, 500)
    assert af.frame_rms(batch, frame_length=100, hop_length=100, center=False).shape == \
        (100, 1, 10)
    for call in (lambda: af.to_mono(batch), lambda: af.vad(batch, 16000),
                 lambda: af.float32_to_pcm(batch, sample_width=2)):
        with pytest.raises(ValueError, match="100 channels .* pass axis="):
            call()


def test_int32_is_scaled_as_to_float32_everywhere(rng):
    x32 = rng.integers(-2**31, 2**31 - 1, (2, 24000), dtype=np.int32, endpoint=True)
    f = af.to_float32(x32)
    np.testing.assert_array_equal(f, (x32 / 2**31).astype(np.float32))
    np.testing.assert_array_equal(af.resample(x32, 48000, 16000), af.resample(f, 48000, 16000))
    rs = af.Resampler(48000, 16000, channels=2)
    got = np.concatenate([rs.process(x32[:, :7000]), rs.process(x32[:, 7000:]), rs.flush()],
                         axis=1)
    np.testing.assert_array_equal(got, af.resample(f, 48000, 16000, latency="low"))
    np.testing.assert_array_equal(af.frame_rms(x32), af.frame_rms(f))
    for a, b in [(af.vad(x32, 16000), af.vad(f, 16000)),
                 (af.VAD(16000, channels=2).process(x32), af.VAD(16000, channels=2).process(f))]:
        np.testing.assert_array_equal(a.energy_db, b.energy_db)
        np.testing.assert_array_equal(a.segments, b.segments)
    np.testing.assert_array_equal(af.split(x32[0]), af.split(f[0]))


@pytest.mark.parametrize("quality", ["low", "high", "very_high"])
@pytest.mark.parametrize("rates", [(48000, 16000), (44100, 16000), (44101, 16000)])
def test_resampler_process_after_flush_is_a_fresh_stream(rng, quality, rates):
    x = (rng.standard_normal((2, 9000)) * 0.1).astype(np.float32)
    rs = af.Resampler(*rates, channels=2, quality=quality)
    rs.process(rng.standard_normal((2, 5000)).astype(np.float32))
    rs.flush()
    again = np.concatenate([rs.process(x[:, :4000]), rs.process(x[:, 4000:]), rs.flush()],
                           axis=1)
    fresh = af.Resampler(*rates, channels=2, quality=quality)
    ref = np.concatenate([fresh.process(x), fresh.flush()], axis=1)
    np.testing.assert_array_equal(again, ref)
    assert rs.flush().shape == (2, 0)          # a flush after a flush: a new, empty stream


def test_vad_process_after_flush_is_a_fresh_stream(rng):
    x = (rng.standard_normal(32000) * 0.01).astype(np.float32)
    x[8000:20000] *= 30
    det = af.VAD(16000)
    det.process(rng.standard_normal(7000).astype(np.float32))
    det.flush()
    a = [det.process(x[:10000]), det.process(x[10000:]), det.flush()]
    ref = af.vad(x, 16000)
    np.testing.assert_array_equal(np.concatenate([p.speech for p in a]), ref.speech)
    np.testing.assert_array_equal(np.concatenate([p.segments for p in a]), ref.segments)


def test_streams_check_chunks_against_their_channels_and_name_the_fix():
    det = af.VAD(16000, channels=2)
    assert det.process(np.zeros((2, 0), np.float32)).segments.shape == (0, 2)
    assert det.process(np.zeros((2, 1), np.float32)).segments.shape == (0, 2)
    for bad in (np.zeros(100, np.float32), np.zeros((100, 2), np.float32),
                np.zeros((3, 100), np.float32)):
        with pytest.raises(ValueError, match=r"shape \(2, n\) for a 2-channel detector"):
            det.process(bad)
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(1, n\)"):
        af.VAD(16000).process(np.zeros((2, 100), np.float32))
    rs = af.Resampler(48000, 16000, channels=2)
    with pytest.raises(ValueError, match=r"shape \(2, n\) for a 2-channel stream"):
        rs.process(np.zeros((960, 2), np.float32))


def test_bytes_given_to_a_resampler_point_to_pcm_to_float32():
    rs = af.Resampler(48000, 16000)
    with pytest.raises(TypeError, match="decode them with audiofast.pcm_to_float32"):
        rs.process(b"\x00\x01" * 960)

"""VoiceFrontend against the composition of the public steps it fuses (pcm_to_float32 or the
G.711 decoders -> to_mono -> Resampler(latency="low") -> VAD), bit for bit, for every sample
format, channel count and chunking; events at the right times; bad input."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import audiofast as af

FORMATS = {"u8": 1, "s16le": 2, "s24le": 3, "s32le": 4, "f32le": 4, "mulaw": 1, "alaw": 1}


def speechy(rate, channels, seconds=3.0, seed=0):
    """(frames, channels) float32: noise with a loud 300 Hz tone from 1 s to 2 s, channel c at
    gain 1 / (c + 1)."""
    t = np.arange(int(rate * seconds)) / rate
    x = np.where((t > 1) & (t < 2), 0.3 * np.sin(2 * np.pi * 300 * t), 0.0)
    x = x + 0.001 * np.random.default_rng(seed).standard_normal(len(t))
    return np.stack([x / (c + 1) for c in range(channels)], axis=1).astype(np.float32)


def encode(x, fmt):
    """(frames, channels) float32 -> interleaved bytes in `fmt`."""
    if fmt == "f32le":
        return x.astype("<f4").tobytes()
    if fmt in ("mulaw", "alaw"):
        enc = af.float32_to_ulaw if fmt == "mulaw" else af.float32_to_alaw
        return enc(np.ascontiguousarray(x).reshape(-1))
    return af.float32_to_pcm(x, sample_width=FORMATS[fmt], axis=0)


def decode(buf, fmt, channels):
    """The public steps' decoding: bytes -> (channels, frames) float32."""
    if fmt == "f32le":
        return np.frombuffer(buf, "<f4").reshape(-1, channels).T
    if fmt in ("mulaw", "alaw"):
        dec = af.ulaw_to_float32 if fmt == "mulaw" else af.alaw_to_float32
        return dec(buf).reshape(-1, channels).T
    return af.pcm_to_float32(buf, sample_width=FORMATS[fmt], channels=channels)


def composed(buf, fmt, channels, in_rate, out_rate, sizes, vad=None):
    """audio and segments of the public steps fed the same chunks (sizes in frames, cycled)."""
    rs, det = af.Resampler(in_rate, out_rate, latency="low"), af.VAD(out_rate, **(vad or {}))
    frame = FORMATS[fmt] * channels
    audio, segments, pos, i = [], [], 0, 0
    while pos < len(buf):
        n = sizes[i % len(sizes)] * frame
        y = rs.process(af.to_mono(decode(buf[pos:pos + n], fmt, channels)))
        audio.append(y)
        segments += det.process(y).segments.tolist()
        pos, i = pos + n, i + 1
    y = rs.flush()
    audio.append(y)
    segments += det.process(y).segments.tolist() + det.flush().segments.tolist()
    return np.concatenate(audio), segments


def fused(buf, fmt, channels, in_rate, out_rate, sizes, vad=None, keep_speech=False):
    fe = af.VoiceFrontend(in_rate, channels=channels, sample_format=fmt, out_rate=out_rate,
                          vad=vad, keep_speech=keep_speech)
    frame = FORMATS[fmt] * channels
    audio, events, pos, i = [], [], 0, 0
    while pos < len(buf):
        n = sizes[i % len(sizes)] * frame
        r = fe.process(buf[pos:pos + n])
        audio.append(r.audio)
        events += r.events
        assert r.in_speech == fe.in_speech
        pos, i = pos + n, i + 1
    r = fe.flush()
    audio.append(r.audio)
    events += r.events
    return np.concatenate(audio), events


def segments_of(events):
    starts = [e.sample for e in events if e.kind == "start"]
    ends = [e.sample for e in events if e.kind == "end"]
    kinds = [e.kind for e in events]
    assert kinds == ["start", "end"] * (len(kinds) // 2)          # alternate, start first
    return [[s, e] for s, e in zip(starts, ends)]


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_equals_the_public_steps_for_every_format_and_channel_count(core, fmt, channels):
    rate = 8000 if fmt in ("mulaw", "alaw") else 48000
    buf = encode(speechy(rate, channels), fmt)
    ref_audio, ref_segments = composed(buf, fmt, channels, rate, 16000, [rate // 50])
    audio, events = fused(buf, fmt, channels, rate, 16000, [rate // 50])
    np.testing.assert_array_equal(audio, ref_audio)
    assert segments_of(events) == ref_segments and len(ref_segments) == 1


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(0, 2000), min_size=1, max_size=8),
       fmt=st.sampled_from(list(FORMATS)), channels=st.integers(1, 2))
def test_equals_the_public_steps_for_any_chunking(sizes, fmt, channels):
    if not any(sizes):
        sizes = sizes + [1]
    buf = encode(speechy(16000, channels, seconds=2.5, seed=len(sizes)), fmt)
    ref_audio, ref_segments = composed(buf, fmt, channels, 16000, 8000, sizes)
    audio, events = fused(buf, fmt, channels, 16000, 8000, sizes)
    np.testing.assert_array_equal(audio, ref_audio)
    assert segments_of(events) == ref_segments


def test_events_at_the_right_times_and_keep_speech_carries_the_utterance():
    buf = encode(speechy(48000, 2, seconds=6.0), "s16le")
    vad = dict(max_speech_duration_s=0.4, speech_pad_ms=60)
    ref_audio, ref_segments = composed(buf, "s16le", 2, 48000, 16000, [960], vad)
    audio, events = fused(buf, "s16le", 2, 48000, 16000, [960], vad, keep_speech=True)
    segments = segments_of(events)
    assert segments == ref_segments and len(segments) >= 3     # cut at 0.4 s pieces
    for e in events:
        assert e.time_s == e.sample / 16000
        if e.kind == "end":
            start = segments[[s[1] for s in segments].index(e.sample)][0]
            np.testing.assert_array_equal(e.audio, ref_audio[start:e.sample])
        else:
            assert e.audio is None
    # the tone is from 1 s to 2 s; the segments cover it, padded by 60 ms
    assert abs(segments[0][0] / 16000 - 0.94) < 0.05 and abs(segments[-1][1] / 16000 - 2.06) < 0.05


def test_on_event_receives_every_event_in_order():
    seen = []
    fe = af.VoiceFrontend(48000, channels=2, on_event=seen.append)
    buf = encode(speechy(48000, 2), "s16le")
    events = []
    for i in range(0, len(buf), 3840):
        events += fe.process(buf[i:i + 3840]).events
    events += fe.flush().events
    assert seen == events and [e.kind for e in seen] == ["start", "end"]


def test_arrays_are_taken_as_the_public_steps_take_them(rng):
    x = speechy(48000, 2).T.copy()                          # (channels, frames)
    fe = af.VoiceFrontend(48000, channels=2)
    rs, det = af.Resampler(48000, 16000, latency="low"), af.VAD(16000)
    for i in range(0, x.shape[1], 960):
        r = fe.process(x[:, i:i + 960])
        y = rs.process(af.to_mono(x[:, i:i + 960]))
        np.testing.assert_array_equal(r.audio, y)
        det.process(y)
    assert fe.in_speech == det.in_speech


def test_flush_then_process_is_a_new_stream_and_reset_starts_over():
    buf = encode(speechy(48000, 1), "s16le")
    fe = af.VoiceFrontend(48000)
    first = np.concatenate([fe.process(buf).audio, fe.flush().audio])
    again = np.concatenate([fe.process(buf).audio, fe.flush().audio])
    np.testing.assert_array_equal(first, again)
    fe.process(buf[:5000])
    fe.reset()
    np.testing.assert_array_equal(np.concatenate([fe.process(buf).audio, fe.flush().audio]), first)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(sample_format="s16be"), ValueError, "sample_format must be one of"),
    (dict(channels=0), ValueError, "channels"),
    (dict(channels=65), ValueError, "channels must be between 1 and 64"),
    (dict(vad=[("frame_ms", 30)]), TypeError, "vad must be a dict"),
    (dict(vad=dict(channels=2)), TypeError, "vad cannot set channels"),
    (dict(vad=dict(frame_ms=0)), ValueError, "frame_ms"),
    (dict(keep_speech="yes"), TypeError, "keep_speech"),
    (dict(on_event=3), TypeError, "on_event must be callable"),
    (dict(out_rate=0), ValueError, "target_sr"),
])
def test_bad_parameters(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        af.VoiceFrontend(48000, **kwargs)


def test_bad_chunks():
    fe = af.VoiceFrontend(48000, channels=2)
    with pytest.raises(ValueError, match="not a whole number of frames"):
        fe.process(b"\x00" * 6)
    with pytest.raises(TypeError):
        fe.process(12)
    with pytest.raises(ValueError, match=r"shape \(2, n\)"):
        fe.process(np.zeros((960, 2), np.float32))
    with pytest.raises(TypeError, match="dtype"):
        fe.process(np.zeros((2, 960), np.complex64))
    assert len(fe.process(b"").audio) == 0


def test_copying_is_refused():
    import copy
    with pytest.raises(TypeError, match="a VoiceFrontend cannot be copied"):
        copy.copy(af.VoiceFrontend(48000))


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(st.integers(0, 1500), min_size=1, max_size=6),
       rates=st.sampled_from([(48000, 16000), (44100, 16000), (8000, 16000), (16000, 16000),
                              (22050, 16000)]),
       quality=st.sampled_from(["low", "high", "very_high"]))
def test_out_buffer_gives_the_same_audio_within_max_output(sizes, rates, quality):
    # out= writes the audio into the caller's buffer (result.audio is a view of it), equal to
    # the audio without it; max_output(frames) bounds every call and max_output(0) the flush
    if not any(sizes):
        sizes = sizes + [7]
    in_rate, out_rate = rates
    buf = encode(speechy(in_rate, 2, seconds=1.5), "s16le")
    plain = af.VoiceFrontend(in_rate, channels=2, out_rate=out_rate, quality=quality)
    into = af.VoiceFrontend(in_rate, channels=2, out_rate=out_rate, quality=quality)
    store = np.full(1 << 16, np.nan, np.float32)
    pos, i = 0, 0
    while True:
        n = sizes[i % len(sizes)] * 4
        chunk, final = buf[pos:pos + n], pos >= len(buf)
        need = into.max_output(0 if final else len(chunk) // 4)
        out = store[:need]
        a = plain.flush() if final else plain.process(chunk)
        b = into.flush(out=out) if final else into.process(chunk, out=out)
        assert len(a.audio) <= need
        np.testing.assert_array_equal(b.audio, a.audio)
        assert b.audio.base is not None and np.shares_memory(b.audio, store) or not len(a.audio)
        if final:
            break
        pos, i = pos + n, i + 1


def test_out_buffer_holds_the_audio_of_every_call():
    fe = af.VoiceFrontend(48000, channels=2)
    buf = encode(speechy(48000, 2, seconds=1.0), "s16le")
    out = np.empty(fe.max_output(960), np.float32)
    for pos in range(0, len(buf), 3840):
        r = fe.process(buf[pos:pos + 3840], out=out)
        assert r.audio.__array_interface__["data"][0] == out.__array_interface__["data"][0]


def test_bad_out_buffers():
    fe = af.VoiceFrontend(48000, channels=2)
    chunk = b"\x00" * 3840
    need = fe.max_output(960)
    with pytest.raises(TypeError, match="out must be a numpy array"):
        fe.process(chunk, out=bytearray(4 * need))
    with pytest.raises(TypeError, match="out must have dtype float32"):
        fe.process(chunk, out=np.empty(need, np.float64))
    with pytest.raises(ValueError, match="contiguous 1-D"):
        fe.process(chunk, out=np.empty((1, need), np.float32))
    with pytest.raises(ValueError, match="contiguous 1-D"):
        fe.process(chunk, out=np.empty(2 * need, np.float32)[::2])
    ro = np.empty(need, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writable"):
        fe.process(chunk, out=ro)
    with pytest.raises(ValueError, match=rf"up to {need} \(VoiceFrontend.max_output\(960\)\)"):
        fe.process(chunk, out=np.empty(need - 1, np.float32))
    with pytest.raises(ValueError, match="frames must be >= 0"):
        fe.max_output(-1)
    with pytest.raises(TypeError, match="frames must be an integer"):
        fe.max_output(1.5)
    # a refused call leaves the stream as it was
    fresh = af.VoiceFrontend(48000, channels=2)
    np.testing.assert_array_equal(fe.process(chunk).audio, fresh.process(chunk).audio)

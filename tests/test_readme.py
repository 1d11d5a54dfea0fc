"""The README's API examples run, and the values their comments state are the real ones."""
import math
import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples_run_and_their_comments_hold(capsys):
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    ns = {}
    for block in blocks:               # in order, sharing names, as a reader would run them
        exec(compile(block, "README.md", "exec"), ns)
    # the front end's examples: the WAV file's events, and those printed for the phone line
    assert ns["events"] == [("start", 0.93), ("end", 2.07)]
    assert "start 0.93\nend 2.07\n" in capsys.readouterr().out
    np.testing.assert_array_equal(ns["f"], np.array([-1.0, 0.0, 0.5, 32767 / 32768], np.float32))
    np.testing.assert_array_equal(ns["q"], ns["x16"])
    assert ns["planar"].shape == (2, 1)
    np.testing.assert_array_equal(ns["planar"][:, 0], np.array([-1.0, 1 - 2.0 ** -23], np.float32))
    assert ns["af"].float32_to_pcm(ns["planar"], sample_width=3) == ns["raw"]
    np.testing.assert_array_equal(ns["tel"], np.array([-32124, 32124, 0, 16764]) / 32768)
    assert ns["tel"].dtype == np.float32 and ns["tel"].shape == (4,)
    assert ns["af"].float32_to_ulaw(ns["tel"]) == ns["ulaw"]
    assert ns["af"].float32_to_alaw(ns["tel"]) == b"*\xaa\xd5\xa5"
    # the resampling example's last call: 48000 samples taken from 44.1 kHz to 16 kHz
    assert ns["y"].shape == (2, math.ceil(48000 * 16000 / 44100))
    assert ns["rs"].delay > 0
    np.testing.assert_array_equal(ns["r"].segments, [[14880, 33120]])
    np.testing.assert_allclose(ns["r"].segments_s, [[0.93, 2.07]])
    assert ns["r"].speech_ratio == 0.38 and not ns["det"].in_speech
    assert ns["segments"] == [[14880, 33120]]
    assert tuple(ns["trimmed"].shape) == (ns["end"] - ns["start"],)
    # the files example: a FLAC written and read back, then prepared to 16 kHz mono
    assert ns["rate"] == 48000 and ns["back"].shape == (2, 48000)
    assert ns["back"].dtype == np.float32
    entry = ns["entry"]
    assert entry["audio_filepath"].endswith("/16k/take1.wav") and entry["duration"] == 1.0
    assert entry["source"].endswith("/take1.flac") and entry["sample_rate"] == 16000
    assert entry["offset_s"] == 0.0


def test_readme_switching_section_comments_hold():
    ns = {}
    for block in re.findall(r"```python\n(.*?)```", README.read_text(), re.S):
        exec(compile(block, "README.md", "exec"), ns)
    assert ns["pcm_16k"].dtype == np.int16 and ns["pcm_16k"].shape == (16000, 2)
    assert ns["pcm_16k"].flags.c_contiguous
    assert ns["mic_tail"].shape == (320, 2) and ns["mic_tail"].dtype == np.int16
    assert ns["voice_8k"].shape == (24000,) and ns["voice_8k"].dtype == np.float32
    librosa = __import__("librosa")
    np.testing.assert_array_equal(ns["voice_parts"], librosa.effects.split(ns["voice"],
                                                                           top_db=60))
    assert ns["voice_rms"].shape == (1, 94) and ns["voice_rms"].dtype == np.float32

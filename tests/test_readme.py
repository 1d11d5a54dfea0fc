"""The README's API examples run, and the values their comments state are the real ones."""
import pathlib
import re

import numpy as np

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_api_example_runs_and_its_comments_hold():
    text = README.read_text()
    block = re.search(r"## API\n\n```python\n(.*?)```", text, re.S).group(1)
    ns = {}
    exec(compile(block, "README.md", "exec"), ns)
    np.testing.assert_array_equal(ns["f"], np.array([-1.0, 0.0, 0.5, 32767 / 32768], np.float32))
    np.testing.assert_array_equal(ns["q"], ns["x16"])
    assert ns["planar"].shape == (2, 1)
    np.testing.assert_array_equal(ns["planar"][:, 0], np.array([-1.0, 1 - 2.0 ** -23], np.float32))
    assert ns["af"].float32_to_pcm(ns["planar"], sample_width=3) == ns["raw"]

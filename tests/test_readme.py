"""The README's Python example runs as written against the shipped checkpoints, and what it reads is what
the README and the app say about naive-2 (so the documented API cannot drift from the code)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_readme_python_example_runs_and_reads_the_numbers_the_readme_states(monkeypatch):
    readme = (ROOT / "README.md").read_text()
    blocks = python_blocks(readme)
    assert blocks, "the README has no Python example"
    monkeypatch.chdir(ROOT)
    ns: dict = {}
    exec(compile("\n".join(blocks), "README.md", "exec"), ns)
    ck, res, x, probe, states = ns["ck"], ns["res"], ns["x"], ns["probe"], ns["states"]
    assert Path(ck.path).name == "naive-2" and x == 3 and res.labels == "relative"
    assert set(ns["legal"]) == {"L0", "L1"} and min(ns["legal"].values()) > 0.9
    # the summary line the README gives for naive-2: cross-lingual 38.7% against 88.0% in-language
    assert f"cross-lingual probe {100 * res.mean_cross(x):.1f}% against {100 * res.mean_diag(x):.1f}% in-language" \
        in " ".join(readme.split())
    assert probe.labels == "relative" and probe.predict(states.rows(x)).shape == (len(states.rows(x)), 64)
    assert 0.5 < probe.info_["test"]["colour"] < 1.0

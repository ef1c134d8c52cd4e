"""Atomic writes (mothello.storage): what is written reads back the same, a write that fails leaves the
file as it was and no temporary file behind, and the tolerant reader says {} for what it cannot read."""

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mothello import storage

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8)
                    | st.floats(allow_nan=False, allow_infinity=False),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                    max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(obj=st.dictionaries(st.text(max_size=6), JSON, max_size=5))
def test_json_reads_back_what_was_written(tmp_path_factory, obj):
    path = tmp_path_factory.mktemp("s") / "deep" / "er" / "a.json"  # missing folders are made
    storage.write_json(path, obj)
    assert storage.read_json(path) == obj == storage.read_json_if_any(path)
    assert [p.name for p in path.parent.iterdir()] == ["a.json"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "status.json"
    storage.write_json(path, {"step": 1})
    with pytest.raises(TypeError):
        storage.write_json(path, {"step": 2, "bad": object()})
    assert storage.read_json(path) == {"step": 1}
    weights = tmp_path / "model.safetensors"
    storage.save_tensors(weights, {"w": torch.ones(2)})
    before = weights.read_bytes()
    with pytest.raises(AttributeError):  # fails inside the write, after its temporary file exists
        storage.save_tensors(weights, {"w": torch.zeros(2), "v": "not a tensor"})
    assert weights.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors", "status.json"]


@pytest.mark.parametrize("content", [None, "", "{\"step\": 3", "not json", "\x00\x01"])
def test_the_tolerant_reader_says_nothing_for_what_it_cannot_read(tmp_path, content):
    path = tmp_path / "status.json"
    if content is not None:
        path.write_text(content)
    assert storage.read_json_if_any(path) == {}
    with pytest.raises((OSError, ValueError)):
        storage.read_json(path)
    path.write_text("[1, 2]")  # JSON, but not an object
    assert storage.read_json_if_any(path) == {}


def test_text_and_arrays_read_back(tmp_path):
    storage.write_text(tmp_path / "a.txt", "héllo\n")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo\n"
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    storage.save_npy(tmp_path / "a.npy", a)
    assert np.array_equal(np.load(tmp_path / "a.npy"), a)


def test_written_files_get_the_permissions_a_plain_open_gives(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    storage.write_json(tmp_path / "a.json", {"a": 1})
    storage.save_npy(tmp_path / "a.npy", np.zeros(2))
    storage.save_tensors(tmp_path / "a.safetensors", {"w": torch.zeros(2)})  # safetensors writes owner-only
    for f in ("a.json", "a.npy", "a.safetensors"):
        assert (tmp_path / f).stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


_json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20)


@given(_json_like)
@settings(max_examples=200, deadline=None)
def test_finite_makes_strict_json_and_keeps_every_finite_value(obj):
    clean = storage.finite(obj)
    text = json.dumps(clean, allow_nan=False)  # raises on any NaN or infinity left

    def same(a, b):  # b is a with every non-finite float None
        if isinstance(a, float) and not np.isfinite(a):
            return b is None
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, (list, tuple)):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        return a == b and type(a) is type(b)

    assert same(obj, clean) and json.loads(text) == clean

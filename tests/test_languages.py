"""Languages, experiment configs and the shared vocabulary (mothello.languages)."""

import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mothello.languages import (
    LANGUAGE_TYPES,
    AnchorGroup,
    ConfigError,
    ExperimentConfig,
    LanguageSpec,
    Vocabulary,
    from_study_config,
    load_config,
)
from mothello.othello import PLAYABLE, generate_games, square_name

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
CENTRE = (27, 28, 35, 36)
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------
# Strategies and helpers
# ---------------------------------------------------------------------------------------------
@st.composite
def config_dicts(draw, min_languages=1, max_languages=5):
    m = draw(st.integers(min_languages, max_languages))
    types = draw(st.lists(st.sampled_from(LANGUAGE_TYPES), min_size=m, max_size=m))
    unified = m >= 2 and types[0] == "atomic" and draw(st.booleans())
    anchors = []
    for t in ("atomic", "split"):
        members = [i for i, ty in enumerate(types) if ty == t]
        if len(members) < 2:
            continue
        n_groups = draw(st.integers(0, 2))
        # Disjoint squares per group, so no (square, language) is anchored twice.
        squares = draw(st.lists(st.sampled_from(PLAYABLE), min_size=2 * n_groups, max_size=12, unique=True))
        for k in range(n_groups):
            langs = draw(st.lists(st.sampled_from(members), min_size=2, max_size=len(members), unique=True))
            sq = squares[k::n_groups] if n_groups else []
            if not sq:
                continue
            # Squares by number or by name: both are accepted.
            sq = [square_name(s) if draw(st.booleans()) else s for s in sq]
            anchors.append({"squares": sq, "languages": langs})
    return {
        "name": "prop",
        "languages": [{"type": t, "name": f"{t[:3]}{i}"} for i, t in enumerate(types)],
        "anchors": anchors,
        "unified_output": unified,
        "seed": draw(st.integers(0, 2**63 - 1)),
    }


def sequences(vocab, li):
    """{square: token tuple} for one language."""
    return {sq: tuple(int(t) for t in vocab.tokens[li, sq, : vocab.lengths[li, sq]]) for sq in PLAYABLE}


def anchored(cfg):
    """{(square, language): group index}."""
    return {(sq, li): k for k, g in enumerate(cfg.anchors) for sq in g.squares for li in g.languages}


def check_vocabulary(vocab):
    """Every structural promise of a built vocabulary."""
    cfg = vocab.config
    m = len(cfg.languages)
    assert vocab.tokens.shape == (m, 64, 3) and vocab.lengths.shape == (m, 64)
    assert (vocab.lengths[:, list(CENTRE)] == 0).all()
    used = set()
    for li, lang in enumerate(cfg.languages):
        seqs = sequences(vocab, li)
        lens = vocab.lengths[li, list(PLAYABLE)]
        for sq in PLAYABLE:
            n = vocab.lengths[li, sq]
            assert (vocab.tokens[li, sq, :n] > 0).all(), "token 0 is padding and never a move token"
            assert (vocab.tokens[li, sq, n:] == 0).all()
        if lang.type == "atomic":
            assert (lens == 1).all()
        elif lang.type == "split":
            assert lens.min() >= 1 and lens.max() <= 3
            assert set(lens.tolist()) == {1, 2, 3}, "split lengths should vary over 1..3"
        else:
            assert (lens == 2).all()
            assert len(vocab.language_tokens(li)) == 16
            rows = {seqs[sq][0] for sq in PLAYABLE}
            cols = {seqs[sq][1] for sq in PLAYABLE}
            assert len(rows) == 8 and len(cols) == 8 and not rows & cols
            for sq in PLAYABLE:
                for other in PLAYABLE:
                    assert (seqs[sq][0] == seqs[other][0]) == (sq // 8 == other // 8)
                    assert (seqs[sq][1] == seqs[other][1]) == (sq % 8 == other % 8)
        if lang.type != "compositional":
            # Each token belongs to one move of the language.
            flat = [t for s in seqs.values() for t in s]
            assert len(flat) == len(set(flat))
        # Distinct moves, distinct sequences; no sequence is a prefix of another (prefix-free).
        values = list(seqs.values())
        assert len(set(values)) == 60
        for a in values:
            for b in values:
                if a is not b:
                    assert b[: len(a)] != a, f"{a} is a prefix of {b} in language {li}"
        used |= set(vocab.language_tokens(li).tolist())
    # Ids are contiguous from 1; size counts padding.
    assert 0 not in used
    assert vocab.size == int(vocab.tokens.max()) + 1
    assert used == set(range(1, vocab.size))
    # Tokens are shared across languages exactly on anchored squares within a group.
    anc = anchored(cfg)
    for group in cfg.anchors:
        for sq in group.squares:
            first = group.languages[0]
            for li in group.languages[1:]:
                assert vocab.lengths[li, sq] == vocab.lengths[first, sq]
                np.testing.assert_array_equal(vocab.tokens[li, sq], vocab.tokens[first, sq])
    for li in range(m):
        for lj in range(li + 1, m):
            shared = set(vocab.language_tokens(li).tolist()) & set(vocab.language_tokens(lj).tolist())
            expected = set()
            for sq in PLAYABLE:
                if (sq, li) in anc and anc.get((sq, lj)) == anc[(sq, li)]:
                    expected |= set(sequences(vocab, li)[sq])
            assert shared == expected, f"languages {li} and {lj} share {shared ^ expected} unexpectedly"


# ---------------------------------------------------------------------------------------------
# Encode / decode
# ---------------------------------------------------------------------------------------------
@PROPS
@given(data=config_dicts(), game_seed=st.integers(0, 2**63 - 1), n=st.integers(1, 8), per_game=st.booleans(),
       pick=st.data())
def test_decode_inverts_encode(data, game_seed, n, per_game, pick):
    cfg = ExperimentConfig.from_dict(data)
    vocab = Vocabulary.build(cfg)
    games = generate_games(n, game_seed)
    m = len(cfg.languages)
    if per_game:
        langs = np.array(pick.draw(st.lists(st.integers(0, m - 1), min_size=n, max_size=n)))
    else:
        langs = np.full(n, pick.draw(st.integers(0, m - 1)))
    tokens, last = vocab.encode(games, langs if per_game else int(langs[0]))
    assert tokens.shape[0] == n and tokens.dtype == np.int64
    for i in range(n):
        np.testing.assert_array_equal(vocab.decode(tokens[i], int(langs[i])), games[i])
        # By name, too.
        np.testing.assert_array_equal(vocab.decode(tokens[i], cfg.languages[langs[i]].name), games[i])
    if not per_game:
        np.testing.assert_array_equal(vocab.decode(tokens, int(langs[0])), games)
        # One game as a 1-D sequence.
        one, one_last = vocab.encode(games[0], int(langs[0]))
        np.testing.assert_array_equal(one, tokens[0])
        np.testing.assert_array_equal(one_last, last[0])


@PROPS
@given(data=config_dicts())
def test_vocabulary_structure(data):
    check_vocabulary(Vocabulary.build(ExperimentConfig.from_dict(data)))


@PROPS
@given(data=config_dicts(), game_seed=st.integers(0, 2**63 - 1), pick=st.data())
def test_last_points_at_each_moves_last_token(data, game_seed, pick):
    cfg = ExperimentConfig.from_dict(data)
    vocab = Vocabulary.build(cfg)
    games = generate_games(4, game_seed)
    games[1, pick.draw(st.integers(1, 59)):] = -1  # an unfinished game
    langs = np.array(pick.draw(st.lists(st.integers(0, len(cfg.languages) - 1), min_size=4, max_size=4)))
    tokens, last = vocab.encode(games, langs)
    assert last.shape == games.shape
    assert tokens.shape[1] == vocab.context_length
    for i in range(len(games)):
        end = 0
        for t, sq in enumerate(games[i]):
            if sq < 0:
                assert last[i, t] == -1
                continue
            n = vocab.lengths[langs[i], sq]
            end += n
            assert last[i, t] == end - 1
            np.testing.assert_array_equal(tokens[i, end - n:end], vocab.tokens[langs[i], sq, :n])
        assert (tokens[i, end:] == 0).all() and (tokens[i, :end] > 0).all()


def test_context_length_is_the_longest_game_in_tokens():
    cfg = ExperimentConfig.from_dict({"languages": ["atomic", "split", "compositional", "split"], "seed": 3})
    vocab = Vocabulary.build(cfg)
    per_lang = [int(vocab.lengths[li].sum()) for li in range(4)]
    assert per_lang[0] == 60 and per_lang[2] == 120
    assert vocab.context_length == max(per_lang)
    assert [vocab.max_tokens(li) for li in range(4)] == per_lang
    games = generate_games(300, seed=1)
    full = games[(games >= 0).all(1)][:3]
    assert len(full) == 3
    for li in range(4):
        tokens, last = vocab.encode(full, li)
        assert tokens.shape[1] == vocab.context_length
        assert ((tokens > 0).sum(1) == per_lang[li]).all()
        assert (last[:, -1] == per_lang[li] - 1).all()
    longest = int(np.argmax(per_lang))
    tokens, _ = vocab.encode(full, longest)
    assert (tokens > 0).all(), "a full game in the longest language fills the context exactly"
    # An explicit length that is too short is refused; a longer one pads.
    with pytest.raises(ValueError):
        vocab.encode(full, longest, length=vocab.context_length - 1)
    assert vocab.encode(full, 0, length=200)[0].shape == (3, 200)


def test_context_length_under_unified_output_counts_only_input_languages():
    cfg = ExperimentConfig.from_dict({"languages": ["atomic", "atomic"], "unified_output": True})
    assert Vocabulary.build(cfg).context_length == 60
    cfg = ExperimentConfig.from_dict({"languages": ["atomic", "compositional"], "unified_output": True})
    assert Vocabulary.build(cfg).context_length == 120
    assert cfg.input_languages == [1]


# ---------------------------------------------------------------------------------------------
# Vocabulary determinism and anchors
# ---------------------------------------------------------------------------------------------
def _mixed_cfg(seed=5, name="mixed"):
    return ExperimentConfig.from_dict({
        "name": name, "seed": seed,
        "languages": [{"type": "atomic"}, {"type": "atomic"}, {"type": "split"}, {"type": "split"},
                      {"type": "compositional"}, {"type": "atomic"}],
        "anchors": [{"squares": ["a2", "a3", 58], "languages": [0, 1]},
                    {"squares": ["h8", "b2"], "languages": [2, 3]},
                    {"squares": ["a1"], "languages": [0, 1, 5]}],
    })


def test_same_config_same_vocabulary():
    a, b = Vocabulary.build(_mixed_cfg()), Vocabulary.build(_mixed_cfg())
    np.testing.assert_array_equal(a.tokens, b.tokens)
    np.testing.assert_array_equal(a.lengths, b.lengths)
    assert a.size == b.size
    # Through a TOML round trip as well.
    cfg = _mixed_cfg()
    again = ExperimentConfig.from_dict(tomllib.loads(cfg.to_toml()))
    assert again == cfg
    np.testing.assert_array_equal(Vocabulary.build(again).tokens, a.tokens)
    # The seed drives the split lengths.
    other = Vocabulary.build(_mixed_cfg(seed=6))
    free = [sq for sq in PLAYABLE if sq not in (63, 9)]  # squares not anchored in the split languages
    for li in (2, 3):
        assert (other.lengths[li, free] != a.lengths[li, free]).any()
    np.testing.assert_array_equal(other.lengths[[0, 1, 4, 5]], a.lengths[[0, 1, 4, 5]])


def test_anchor_tokens_are_shared_exactly_within_their_group():
    cfg = _mixed_cfg()
    vocab = Vocabulary.build(cfg)
    check_vocabulary(vocab)
    t = vocab.tokens
    for sq in (1, 2, 58):
        np.testing.assert_array_equal(t[0, sq], t[1, sq])
        assert not set(t[0, sq]) - {0} & set(vocab.language_tokens(5).tolist())
    np.testing.assert_array_equal(t[0, 0], t[5, 0])
    np.testing.assert_array_equal(t[1, 0], t[5, 0])
    for sq in (63, 9):
        np.testing.assert_array_equal(t[2, sq], t[3, sq])
    for sq in (3, 19, 63):  # not anchored between 0 and 1
        assert t[0, sq, 0] != t[1, sq, 0]
    assert len(set(vocab.language_tokens(0)) & set(vocab.language_tokens(1))) == 4
    assert len(set(vocab.language_tokens(2)) & set(vocab.language_tokens(3))) == int(vocab.lengths[2, [63, 9]].sum())
    assert not set(vocab.language_tokens(4)) & set(vocab.language_tokens(0))
    # Anchored games decode in either language of the group.
    games = generate_games(5, seed=2)
    tokens, _ = vocab.encode(games, 0)
    np.testing.assert_array_equal(vocab.decode(tokens, 0), games)


def test_move_table_marks_anchors():
    vocab = Vocabulary.build(_mixed_cfg())
    rows = {r["square"]: r for r in vocab.move_table()}
    assert len(rows) == 60 and rows[19]["move"] == "c4"
    names = vocab.config.language_names
    assert rows[1][names[0]].endswith("*") and rows[1][names[1]].endswith("*")
    assert not rows[1][names[2]].endswith("*") and not rows[19][names[0]].endswith("*")
    assert rows[19][names[0]] == str(vocab.tokens[0, 19, 0])


# ---------------------------------------------------------------------------------------------
# Decode errors
# ---------------------------------------------------------------------------------------------
def test_decode_rejects_unknown_tokens():
    vocab = Vocabulary.build(_mixed_cfg())
    games = generate_games(1, seed=3)
    tokens, last = vocab.encode(games[0], 0)
    bad = tokens.copy()
    bad[5] = vocab.size + 3
    with pytest.raises(ValueError, match="position 5"):
        vocab.decode(bad, 0)
    # A token of another language (not shared) is not a move of this one.
    bad = tokens.copy()
    bad[2] = vocab.tokens[4, 19, 0]
    with pytest.raises(ValueError, match="position 2"):
        vocab.decode(bad, 0)
    # Padding in the middle is not a token either.
    bad = tokens.copy()
    bad[3] = 0
    with pytest.raises(ValueError, match="position 3"):
        vocab.decode(bad, 0)


def test_decode_rejects_a_sequence_ending_inside_a_move():
    vocab = Vocabulary.build(_mixed_cfg())
    games = generate_games(1, seed=3)[0]
    for li in (2, 4):  # split, compositional
        tokens, last = vocab.encode(games, li)
        t = next(t for t in range(60) if vocab.lengths[li, games[t]] >= 2)
        cut = tokens.copy()
        cut[last[t]:] = 0  # drop the last token of move t and everything after it
        with pytest.raises(ValueError, match="ends inside a move"):
            vocab.decode(cut, li)
        # Cut at a move boundary instead: a valid shorter game.
        ok = tokens.copy()
        ok[last[t] + 1:] = 0
        np.testing.assert_array_equal(vocab.decode(ok, li)[: t + 1], games[: t + 1])
        assert (vocab.decode(ok, li)[t + 1:] == -1).all()


def test_decode_in_the_wrong_language_fails():
    vocab = Vocabulary.build(_mixed_cfg())
    tokens, _ = vocab.encode(generate_games(1, seed=3)[0], 4)
    with pytest.raises(ValueError, match="not a valid continuation"):
        vocab.decode(tokens, 0)


def test_encode_rejects_bad_input():
    vocab = Vocabulary.build(_mixed_cfg())
    with pytest.raises(ValueError, match="not a playable"):
        vocab.encode(np.array([27, -1]), 0)
    with pytest.raises(ValueError):
        vocab.encode(np.array([64]), 0)
    with pytest.raises(ValueError):
        vocab.encode(generate_games(2, seed=1), [0, 9])
    with pytest.raises(ValueError):
        vocab.encode(generate_games(2, seed=1), [0, 1, 2])
    with pytest.raises(ValueError, match="unknown language"):
        vocab.encode(generate_games(2, seed=1), "nope")


# ---------------------------------------------------------------------------------------------
# Config validation
# ---------------------------------------------------------------------------------------------
TWO_ATOMIC = '[[languages]]\ntype = "atomic"\n\n[[languages]]\ntype = "atomic"\n'
INVALID = {
    "unknown type": ('[[languages]]\ntype = "foo"\n', "unknown type 'foo'"),
    "anchor on a centre square": (TWO_ATOMIC + '[[anchors]]\nsquares = [27]\nlanguages = [0, 1]\n', "not playable"),
    "anchor on a centre square by name": (TWO_ATOMIC + '[[anchors]]\nsquares = ["e5"]\nlanguages = [0, 1]\n',
                                          "not playable"),
    "language twice in a group": (TWO_ATOMIC + '[[anchors]]\nsquares = [1]\nlanguages = [0, 1, 0]\n',
                                  "language 0 twice"),
    "unified with one language": ('unified_output = true\n[[languages]]\ntype = "atomic"\n', "at least two languages"),
    "unified with split language 0": ('unified_output = true\n[[languages]]\ntype = "split"\n'
                                      '[[languages]]\ntype = "atomic"\n', "must be atomic"),
    "unknown top-level key": ('epochs = 3\n' + TWO_ATOMIC, "unknown key(s) epochs"),
    "unknown language key": ('[[languages]]\ntype = "atomic"\nsize = 3\n', "unknown key(s) size"),
    "anchor group mixing types": ('[[languages]]\ntype = "atomic"\n[[languages]]\ntype = "split"\n'
                                  '[[anchors]]\nsquares = [1]\nlanguages = [0, 1]\n', "mixes language types"),
    "compositional anchors": ('[[languages]]\ntype = "compositional"\n[[languages]]\ntype = "compositional"\n'
                              '[[anchors]]\nsquares = [1]\nlanguages = [0, 1]\n', "compositional"),
    "anchor language out of range": (TWO_ATOMIC + '[[anchors]]\nsquares = [1]\nlanguages = [0, 2]\n',
                                     "names language 2"),
    "anchor with one language": (TWO_ATOMIC + '[[anchors]]\nsquares = [1]\nlanguages = [0]\n', "at least two"),
    "square anchored by two groups": (TWO_ATOMIC + '[[anchors]]\nsquares = [1]\nlanguages = [0, 1]\n'
                                      '[[anchors]]\nsquares = ["a2"]\nlanguages = [1, 0]\n', "already anchored"),
    "bad square name": (TWO_ATOMIC + '[[anchors]]\nsquares = ["z9"]\nlanguages = [0, 1]\n', "z9"),
    "no languages": ('seed = 1\n', "languages"),
    "negative seed": ('seed = -1\n' + TWO_ATOMIC, "seed"),
    "duplicate names": ('[[languages]]\ntype = "atomic"\nname = "x"\n[[languages]]\ntype = "atomic"\nname = "x"\n',
                        "unique"),
    "unified not a bool": ('unified_output = 1\n' + TWO_ATOMIC, "unified_output"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_configs_are_rejected_with_a_clear_message(case, tmp_path):
    text, needle = INVALID[case]
    with pytest.raises(ConfigError) as info:
        ExperimentConfig.from_dict(tomllib.loads(text))
    assert needle in str(info.value), str(info.value)
    path = tmp_path / "bad-config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    msg = str(info.value)
    assert needle in msg and "bad-config" in msg, msg


def test_config_error_is_a_value_error_and_direct_construction_validates():
    assert issubclass(ConfigError, ValueError)
    with pytest.raises(ConfigError, match="unknown type"):
        ExperimentConfig(name="x", languages=(LanguageSpec("klingon", "a"),))
    with pytest.raises(ConfigError, match="not playable"):
        ExperimentConfig(name="x", languages=(LanguageSpec("atomic", "a"), LanguageSpec("atomic", "b")),
                         anchors=(AnchorGroup(squares=(28,), languages=(0, 1)),))


def test_load_config_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such config"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "broken.toml"
    bad.write_text("name = \n[[languages\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(bad)


def test_load_config_valid_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('seed = 9\n[[languages]]\ntype = "atomic"\nname = "en"\n'
                    '[[languages]]\ntype = "split"\n'
                    '[[languages]]\ntype = "atomic"\n'
                    '[[anchors]]\nsquares = ["a2", 58]\nlanguages = [0, 2]\n')
    cfg = load_config(path)
    assert cfg.name == "mine" and cfg.seed == 9 and not cfg.unified_output
    assert [l.type for l in cfg.languages] == ["atomic", "split", "atomic"]
    assert cfg.language_names == ["en", "L1", "L2"]
    assert cfg.anchors == (AnchorGroup(squares=(1, 58), languages=(0, 2)),)
    assert cfg.language_index("en") == 0 and cfg.language_index(2) == 2 and cfg.language_index("1") == 1
    with pytest.raises(ValueError, match="unknown language"):
        cfg.language_index("fr")
    with pytest.raises(ValueError):
        cfg.language_index(3)
    assert cfg.input_languages == [0, 1, 2]
    assert [cfg.input_index(x) for x in ("en", 1, "2")] == [0, 1, 2]  # not unified: the model reads them all
    with pytest.raises(ValueError, match="unknown language"):
        cfg.input_index("fr")


@PROPS
@given(data=config_dicts())
def test_toml_round_trip(data):
    cfg = ExperimentConfig.from_dict(data)
    again = ExperimentConfig.from_dict(tomllib.loads(cfg.to_toml()))
    assert again == cfg
    assert ExperimentConfig.from_dict(cfg.to_dict()) == cfg


# ---------------------------------------------------------------------------------------------
# The study's Python-literal configs
# ---------------------------------------------------------------------------------------------
STUDY = ("{'language_types': ['atomic', 'atomic'], 'overlap_toks': {2: [[0, 1]], 47: [[0, 1]]}, "
         "'train_seed': 42, 'unified_output': False}")


def _check_study(cfg):
    assert [l.type for l in cfg.languages] == ["atomic", "atomic"]
    assert cfg.seed == 42 and cfg.unified_output is False
    assert len(cfg.anchors) == 1
    assert set(cfg.anchors[0].squares) == {2, 47} and cfg.anchors[0].languages == (0, 1)
    vocab = Vocabulary.build(cfg)
    shared = [sq for sq in PLAYABLE if vocab.tokens[0, sq, 0] == vocab.tokens[1, sq, 0]]
    assert shared == [2, 47]


def test_study_config_parses():
    _check_study(from_study_config(STUDY))


def test_study_config_assignment_form_parses(tmp_path):
    text = "# the study's config\nimport os\nconfig = " + STUDY + "\n"
    _check_study(from_study_config(text))
    path = tmp_path / "study.py"
    path.write_text(text)
    cfg = load_config(path)
    _check_study(cfg)
    assert cfg.name == "study"


def test_study_config_several_groups_and_unified():
    cfg = from_study_config("{'language_types': ['atomic', 'atomic', 'atomic', 'atomic'], "
                            "'overlap_toks': {2: [[0, 1], [2, 3]], 5: [[0, 1]]}, 'unified_output': True}")
    assert cfg.unified_output and cfg.seed == 0
    groups = {g.languages: set(g.squares) for g in cfg.anchors}
    assert groups == {(0, 1): {2, 5}, (2, 3): {2}}
    vocab = Vocabulary.build(cfg)
    assert vocab.tokens[0, 2, 0] == vocab.tokens[1, 2, 0] != vocab.tokens[2, 2, 0] == vocab.tokens[3, 2, 0]


def test_study_config_rejects_invalid_content():
    with pytest.raises(ConfigError, match="unknown key"):
        from_study_config("{'language_types': ['atomic'], 'epochs': 3}")
    with pytest.raises(ConfigError, match="language_types"):
        from_study_config("{'train_seed': 3}")
    with pytest.raises(ConfigError, match="not playable"):
        from_study_config("{'language_types': ['atomic', 'atomic'], 'overlap_toks': {27: [[0, 1]]}}")
    with pytest.raises(ConfigError):
        from_study_config("this is not python (")


@pytest.mark.parametrize("template", [
    "__import__('os').system('touch {marker}')",
    "config = __import__('os').system('touch {marker}')",
    "{{'language_types': __import__('os').system('touch {marker}')}}",
    "config = {{'language_types': ['atomic'], 'train_seed': __import__('os').system('touch {marker}')}}",
])
def test_study_config_never_executes_code(template, tmp_path):
    marker = tmp_path / "executed"
    with pytest.raises(ConfigError):
        from_study_config(template.format(marker=marker))
    assert not marker.exists(), "the config text was executed"


# ---------------------------------------------------------------------------------------------
# Shipped presets (MOTHELLO.md reference configurations)
# ---------------------------------------------------------------------------------------------
def _preset(name):
    path = CONFIG_DIR / f"{name}.toml"
    assert path.is_file(), f"missing preset {path}"
    return load_config(path)


def test_preset_naive_2():
    cfg = _preset("naive-2")
    assert [l.type for l in cfg.languages] == ["atomic", "atomic"]
    assert cfg.anchors == () and not cfg.unified_output
    vocab = Vocabulary.build(cfg)
    check_vocabulary(vocab)
    assert vocab.size == 121


def test_preset_anchors_8():
    cfg = _preset("anchors-8")
    assert [l.type for l in cfg.languages] == ["atomic", "atomic"] and not cfg.unified_output
    squares = {sq for g in cfg.anchors for sq in g.squares}
    assert squares == {1, 2, 3, 16, 47, 48, 51, 58}
    assert all(set(g.languages) == {0, 1} for g in cfg.anchors)
    vocab = Vocabulary.build(cfg)
    check_vocabulary(vocab)
    shared = {sq for sq in PLAYABLE if vocab.tokens[0, sq, 0] == vocab.tokens[1, sq, 0]}
    assert shared == {1, 2, 3, 16, 47, 48, 51, 58}
    assert vocab.size == 60 + 52 + 1


def test_preset_atomic_10():
    cfg = _preset("atomic-10")
    assert [l.type for l in cfg.languages] == ["atomic"] * 10
    assert cfg.anchors == () and not cfg.unified_output
    vocab = Vocabulary.build(cfg)
    assert vocab.size == 601
    check_vocabulary(vocab)


def test_preset_unified_mixed():
    cfg = _preset("unified-mixed")
    types = [l.type for l in cfg.languages]
    assert types[0] == "atomic" and cfg.unified_output
    assert sorted(types[1:]) == ["atomic", "atomic", "compositional", "split"]
    assert types.count("atomic") == 3
    assert cfg.input_languages == [1, 2, 3, 4]
    vocab = Vocabulary.build(cfg)
    check_vocabulary(vocab)
    assert vocab.context_length == max(int(vocab.lengths[li].sum()) for li in (1, 2, 3, 4))


def test_presets_have_distinct_names_and_descriptions():
    names = ["naive-2", "anchors-8", "atomic-10", "unified-mixed"]
    cfgs = [_preset(n) for n in names]
    assert [c.name for c in cfgs] == names
    assert all(c.description for c in cfgs)

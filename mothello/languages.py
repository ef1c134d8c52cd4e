"""Synthetic languages over Othello moves, experiment configs, and their one shared vocabulary.

A language maps each of the 60 playable moves to a sequence of its own token ids (MOTHELLO.md):
    atomic         one fresh token per move
    split          1 to 3 fresh tokens per move (length drawn per move, seeded)
    compositional  a row token then a column token; 16 tokens per language shared by its moves
Anchor groups make a set of languages write chosen squares with the same token(s). Under unified
output, language 0 is the output space: inputs come from languages 1..M-1 and every next-move target
is a language-0 token.

One vocabulary covers all languages of an experiment; token 0 is padding. Token ids are allocated
language by language, square by square, so the same config always yields the same vocabulary.

Experiment configs are TOML files (see configs/); the study's own Python-literal configs are read
with `from_study_config` without executing them.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .othello import MAX_MOVES, PLAYABLE, parse_square, square_name

LANGUAGE_TYPES = ("atomic", "split", "compositional")
PAD = 0
MAX_SPLIT = 3


class ConfigError(ValueError):
    """An experiment config the validator rejects; the message says what and where."""


@dataclass(frozen=True)
class LanguageSpec:
    type: str
    name: str


@dataclass(frozen=True)
class AnchorGroup:
    """The languages in `languages` write every square in `squares` with the same token(s)."""

    squares: tuple[int, ...]
    languages: tuple[int, ...]


@dataclass(frozen=True)
class ExperimentConfig:
    name: str
    languages: tuple[LanguageSpec, ...]
    anchors: tuple[AnchorGroup, ...] = ()
    unified_output: bool = False
    seed: int = 0
    description: str = ""

    def __post_init__(self):
        validate(self)

    @property
    def language_names(self) -> list[str]:
        return [lang.name for lang in self.languages]

    @property
    def input_languages(self) -> list[int]:
        """Languages the model reads: all of them, or 1..M-1 under unified output."""
        start = 1 if self.unified_output else 0
        return list(range(start, len(self.languages)))

    def language_index(self, language: int | str) -> int:
        """A language by index or name; ValueError naming the known ones otherwise."""
        names = self.language_names
        if isinstance(language, (int, np.integer)) and not isinstance(language, bool):
            if 0 <= int(language) < len(names):
                return int(language)
        elif str(language) in names:
            return names.index(str(language))
        elif str(language).isdigit() and int(language) < len(names):
            return int(language)
        raise ValueError(f"unknown language {language!r}; this experiment has {', '.join(names)}")

    def input_index(self, language: int | str) -> int:
        """A language the model reads, by index or name (language_index). ValueError for an unknown one, and
        for the unified output language, which the model writes its moves in but never reads: its input
        embeddings never train, so hidden states of games written in it mean nothing."""
        li = self.language_index(language)
        if li not in self.input_languages:
            reads = ", ".join(self.language_names[i] for i in self.input_languages)
            raise ValueError(f"{self.language_names[li]!r} is the unified output language of {self.name}: the model "
                             f"writes its moves in it but never reads it (it reads {reads})")
        return li

    def to_dict(self) -> dict:
        d = asdict(self)
        d["languages"] = [asdict(lang) for lang in self.languages]
        d["anchors"] = [{"squares": list(a.squares), "languages": list(a.languages)} for a in self.anchors]
        return d

    @classmethod
    def from_dict(cls, data: dict, source: str = "config") -> "ExperimentConfig":
        return _parse(data, source)

    def to_toml(self) -> str:
        lines = [f'name = "{self.name}"']
        if self.description:
            lines.append(f"description = {_toml_str(self.description)}")
        lines += [f"seed = {self.seed}", f"unified_output = {str(self.unified_output).lower()}", ""]
        for lang in self.languages:
            lines += ["[[languages]]", f'name = "{lang.name}"', f'type = "{lang.type}"', ""]
        for a in self.anchors:
            squares = ", ".join(f'"{square_name(s)}"' for s in a.squares)
            lines += ["[[anchors]]", f"squares = [{squares}]", f"languages = {list(a.languages)}", ""]
        return "\n".join(lines)


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---------------------------------------------------------------------------------------------
# Validation and parsing
# ---------------------------------------------------------------------------------------------
def validate(cfg: ExperimentConfig) -> None:
    where = f"config {cfg.name!r}"
    if not cfg.languages:
        raise ConfigError(f"{where}: needs at least one language")
    names = [lang.name for lang in cfg.languages]
    for i, lang in enumerate(cfg.languages):
        if lang.type not in LANGUAGE_TYPES:
            raise ConfigError(f"{where}: language {i} has unknown type {lang.type!r} "
                              f"(known: {', '.join(LANGUAGE_TYPES)})")
        if not lang.name or names.count(lang.name) > 1:
            raise ConfigError(f"{where}: language {i} needs a unique, non-empty name (got {lang.name!r})")
    if cfg.unified_output:
        if len(cfg.languages) < 2:
            raise ConfigError(f"{where}: unified output needs at least two languages "
                              "(language 0 is the output space, the others are inputs)")
        if cfg.languages[0].type != "atomic":
            raise ConfigError(f"{where}: under unified output language 0 is the output space and must be "
                              f"atomic (one token per move), not {cfg.languages[0].type}")
    if not 0 <= cfg.seed < 2**63:
        raise ConfigError(f"{where}: seed must be in 0..2**63-1")
    owner: dict[tuple[int, int], int] = {}
    for k, group in enumerate(cfg.anchors):
        gw = f"{where}: anchor group {k}"
        if len(group.languages) < 2:
            raise ConfigError(f"{gw} needs at least two languages to share tokens")
        for lang in group.languages:
            if not 0 <= lang < len(cfg.languages):
                raise ConfigError(f"{gw} names language {lang}, but there are {len(cfg.languages)} "
                                  f"(0..{len(cfg.languages) - 1})")
            if group.languages.count(lang) > 1:
                raise ConfigError(f"{gw} lists language {lang} twice")
        types = {cfg.languages[lang].type for lang in group.languages}
        if "compositional" in types:
            raise ConfigError(f"{gw}: compositional languages build every move from shared row and column "
                              "tokens, so a single move cannot be anchored; anchor atomic or split languages")
        if len(types) > 1:
            raise ConfigError(f"{gw} mixes language types {sorted(types)}; a group shares one token "
                              "sequence, so its languages must have the same type")
        if not group.squares:
            raise ConfigError(f"{gw} has no squares")
        for sq in group.squares:
            if sq not in PLAYABLE:
                raise ConfigError(f"{gw}: square {sq} ({square_name(sq) if 0 <= sq < 64 else '?'}) is not "
                                  "playable (the four centre squares start occupied)")
            if group.squares.count(sq) > 1:
                raise ConfigError(f"{gw} lists square {square_name(sq)} twice")
            for lang in group.languages:
                if (sq, lang) in owner:
                    raise ConfigError(f"{gw}: square {square_name(sq)} of language {lang} is already "
                                      f"anchored by group {owner[(sq, lang)]}")
                owner[(sq, lang)] = k


_TOP_KEYS = {"name", "description", "seed", "unified_output", "languages", "anchors"}


def _parse(data: dict, source: str) -> ExperimentConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a table of settings")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_TOP_KEYS))})")
    langs_raw = data.get("languages")
    if not isinstance(langs_raw, list) or not langs_raw:
        raise ConfigError(f"{source}: 'languages' must be a non-empty list of [[languages]] tables")
    languages = []
    for i, entry in enumerate(langs_raw):
        if isinstance(entry, str):
            entry = {"type": entry}
        if not isinstance(entry, dict) or "type" not in entry:
            raise ConfigError(f"{source}: language {i} needs a 'type' ({', '.join(LANGUAGE_TYPES)})")
        extra = set(entry) - {"type", "name"}
        if extra:
            raise ConfigError(f"{source}: language {i} has unknown key(s) {', '.join(sorted(extra))}")
        languages.append(LanguageSpec(type=str(entry["type"]), name=str(entry.get("name", f"L{i}"))))
    anchors = []
    for k, entry in enumerate(data.get("anchors", []) or []):
        if not isinstance(entry, dict) or set(entry) != {"squares", "languages"}:
            raise ConfigError(f"{source}: anchor group {k} needs exactly the keys 'squares' and 'languages'")
        try:
            squares = tuple(parse_square(s) for s in entry["squares"])
        except (ValueError, TypeError) as e:
            raise ConfigError(f"{source}: anchor group {k}: {e}") from None
        langs = entry["languages"]
        if not isinstance(langs, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in langs):
            raise ConfigError(f"{source}: anchor group {k}: 'languages' must be a list of language indices")
        anchors.append(AnchorGroup(squares=squares, languages=tuple(langs)))
    seed = data.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ConfigError(f"{source}: 'seed' must be an integer")
    unified = data.get("unified_output", False)
    if not isinstance(unified, bool):
        raise ConfigError(f"{source}: 'unified_output' must be true or false")
    name = str(data.get("name", Path(source).stem))
    try:
        return ExperimentConfig(name=name, languages=tuple(languages), anchors=tuple(anchors),
                                unified_output=unified, seed=seed,
                                description=str(data.get("description", "")))
    except ConfigError as e:
        raise ConfigError(f"{source}: {e}") from None


def from_study_config(text: str, name: str = "study") -> ExperimentConfig:
    """Read the original study's config: a Python-literal dict (optionally assigned to a name).

    Keys: language_types, overlap_toks ({square: [[lang, lang, ...], ...]}), train_seed,
    unified_output. Parsed with ast.literal_eval, never executed.
    """
    try:
        data = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        data = None
        try:
            tree = ast.parse(text)
        except SyntaxError as e:
            raise ConfigError(f"{name}: not a Python literal dict ({e.msg}, line {e.lineno})") from None
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                try:
                    data = ast.literal_eval(node.value)
                except ValueError as e:
                    raise ConfigError(f"{name}: the config dict must hold only literals ({e})") from None
                break
        if data is None:
            raise ConfigError(f"{name}: no literal dict found")
    if not isinstance(data, dict) or "language_types" not in data:
        raise ConfigError(f"{name}: a study config is a dict with at least 'language_types'")
    unknown = set(data) - {"language_types", "overlap_toks", "train_seed", "unified_output"}
    if unknown:
        raise ConfigError(f"{name}: unknown key(s) {', '.join(map(str, sorted(unknown, key=str)))}")
    groups: dict[tuple[int, ...], list[int]] = {}
    overlap = data.get("overlap_toks") or {}
    if not isinstance(overlap, dict):
        raise ConfigError(f"{name}: 'overlap_toks' must map squares to lists of language groups")
    try:
        for sq, lang_groups in overlap.items():
            for grp in lang_groups:
                groups.setdefault(tuple(grp), []).append(int(sq))
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: 'overlap_toks' must map squares to lists of language groups, "
                          "e.g. {2: [[0, 1]]}") from None
    raw = {
        "name": name,
        "languages": [{"type": t} for t in data["language_types"]],
        "anchors": [{"squares": sqs, "languages": list(langs)} for langs, sqs in groups.items()],
        "seed": int(data.get("train_seed", 0)),
        "unified_output": bool(data.get("unified_output", False)),
    }
    return _parse(raw, name)


def load_config(path: str | Path) -> ExperimentConfig:
    """An experiment config from a TOML file, or from the study's Python-literal format (.py/.txt)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: invalid TOML ({e})") from None
        data.setdefault("name", path.stem)
        return _parse(data, str(path))
    return from_study_config(text, name=path.stem)


# ---------------------------------------------------------------------------------------------
# The compiled vocabulary
# ---------------------------------------------------------------------------------------------
@dataclass
class Vocabulary:
    """Token tables of every language of an experiment.

    tokens   (M, 64, 3) int64  token ids of each move, 0 beyond its length (and for centre squares)
    lengths  (M, 64)    int64  tokens per move (0 for the four centre squares)
    size     int               vocabulary size, padding included
    """

    config: ExperimentConfig
    tokens: np.ndarray = field(repr=False)
    lengths: np.ndarray = field(repr=False)
    size: int = 0

    def __post_init__(self):
        self._tries: dict[int, tuple[dict, set]] = {}

    @classmethod
    def build(cls, cfg: ExperimentConfig) -> "Vocabulary":
        m = len(cfg.languages)
        tokens = np.zeros((m, 64, MAX_SPLIT), dtype=np.int64)
        lengths = np.zeros((m, 64), dtype=np.int64)
        anchor_of = {(sq, lang): k for k, g in enumerate(cfg.anchors) for sq in g.squares for lang in g.languages}
        shared: dict[tuple[int, int], list[int]] = {}  # (group, square) -> tokens
        next_id = 1

        def fresh(n):
            nonlocal next_id
            ids = list(range(next_id, next_id + n))
            next_id += n
            return ids

        for li, lang in enumerate(cfg.languages):
            rng = np.random.default_rng([cfg.seed, li])
            split_len = rng.integers(1, MAX_SPLIT + 1, size=64)
            if lang.type == "compositional":
                rows, cols = fresh(8), fresh(8)
            for sq in PLAYABLE:
                if lang.type == "compositional":
                    seq = [rows[sq // 8], cols[sq % 8]]
                elif (sq, li) in anchor_of:
                    key = (anchor_of[(sq, li)], sq)
                    if key not in shared:
                        n = 1 if lang.type == "atomic" else int(
                            np.random.default_rng([cfg.seed, 1000 + key[0], sq]).integers(1, MAX_SPLIT + 1))
                        shared[key] = fresh(n)
                    seq = shared[key]
                else:
                    seq = fresh(1 if lang.type == "atomic" else int(split_len[sq]))
                tokens[li, sq, : len(seq)] = seq
                lengths[li, sq] = len(seq)
        return cls(config=cfg, tokens=tokens, lengths=lengths, size=next_id)

    # -- sizes ---------------------------------------------------------------------------------
    def max_tokens(self, language: int | str) -> int:
        """The longest game in tokens for this language (a full game plays every playable square)."""
        return int(self.lengths[self.config.language_index(language)].sum())

    @property
    def context_length(self) -> int:
        """Model context: the longest game in tokens over the languages the model reads."""
        return max(self.max_tokens(i) for i in self.config.input_languages)

    def language_tokens(self, language: int | str) -> np.ndarray:
        """Sorted unique token ids that the language uses."""
        li = self.config.language_index(language)
        t = self.tokens[li]
        return np.unique(t[t > 0])

    # -- encode / decode -----------------------------------------------------------------------
    def encode(self, games, language, length: int | None = None):
        """Write games in one language, or each game in its own language.

        games (n, 60) squares padded with -1 (or one game as a 1-D sequence); language a name or
        index, or an (n,) array of language indices, one per game.
        Returns tokens (n, length) int64 padded with 0, and last (n, 60) int64: the position of
        each move's last token, -1 for padding. length defaults to the context length.
        """
        g = np.asarray(games)
        single = g.ndim == 1
        if single:
            g = g[None, :]
        if g.ndim != 2 or g.shape[1] > MAX_MOVES:
            raise ValueError(f"games must have shape (n, <=60), got {g.shape}")
        if np.ndim(language) == 0:
            li = np.full((g.shape[0], 1), self.config.language_index(language))
        else:
            li = np.asarray(language, dtype=np.int64).reshape(-1, 1)
            if li.shape[0] != g.shape[0] or ((li < 0) | (li >= len(self.config.languages))).any():
                raise ValueError("language must be one language or one valid language index per game")
        g = g.astype(np.int64)
        valid = g >= 0
        if (g >= 64).any():
            raise ValueError(f"square {int(g[g >= 64][0])} is off the board (0..63)")
        sq = np.where(valid, g, 0)
        lens = np.where(valid, self.lengths[li, sq], 0)  # (n, moves)
        bad = valid & (lens == 0)
        if bad.any():
            s = int(g[bad][0])
            raise ValueError(f"square {s} ({square_name(s)}) is not a playable move")
        ends = np.cumsum(lens, axis=1)  # exclusive end of each move
        starts = ends - lens
        total = int(ends[:, -1].max()) if g.size else 0
        if length is None:
            length = max(self.context_length, total)
        if total > length:
            raise ValueError(f"a game needs {total} tokens but the length is {length}")
        out = np.zeros((g.shape[0], length), dtype=np.int64)
        rows = np.broadcast_to(np.arange(g.shape[0])[:, None], g.shape)
        langs = np.broadcast_to(li, g.shape)
        for k in range(MAX_SPLIT):
            has = lens > k
            out[rows[has], starts[has] + k] = self.tokens[langs[has], sq[has], k]
        last = np.where(valid, ends - 1, -1)
        if single:
            return out[0], last[0]
        return out, last

    def _trie(self, li: int):
        if li not in self._tries:
            full, prefixes = {}, set()
            for sq in PLAYABLE:
                seq = tuple(int(t) for t in self.tokens[li, sq, : self.lengths[li, sq]])
                full[seq] = sq
                for k in range(1, len(seq)):
                    prefixes.add(seq[:k])
            self._tries[li] = (full, prefixes)
        return self._tries[li]

    def decode(self, tokens, language: int | str) -> np.ndarray:
        """Token ids -> squares (-1 padded to 60), for one sequence (1-D) or a batch (2-D).

        Trailing padding (0) is ignored. Raises ValueError naming the position of the first token
        that does not continue a move of this language, or a sequence that ends inside a move.
        """
        li = self.config.language_index(language)
        arr = np.asarray(tokens)
        if arr.ndim == 2:
            return np.stack([self.decode(row, li) for row in arr]) if len(arr) else np.zeros((0, 60), np.int8)
        full, prefixes = self._trie(li)
        name = self.config.languages[li].name
        seq = [int(t) for t in arr.tolist()]
        while seq and seq[-1] == PAD:
            seq.pop()
        moves, buf = [], []
        for pos, tok in enumerate(seq):
            buf.append(tok)
            key = tuple(buf)
            if key in full:
                moves.append(full[key])
                buf = []
            elif key not in prefixes:
                raise ValueError(f"token {tok} at position {pos} is not a valid continuation in language "
                                 f"{name}" + (f" (after {buf[:-1]})" if len(buf) > 1 else ""))
        if buf:
            raise ValueError(f"the sequence ends inside a move of language {name} (pending tokens {buf})")
        if len(moves) > MAX_MOVES:
            raise ValueError(f"{len(moves)} moves decoded; a game has at most {MAX_MOVES}")
        out = np.full(MAX_MOVES, -1, dtype=np.int8)
        out[: len(moves)] = moves
        return out

    def move_table(self) -> "list[dict]":
        """One row per playable square: its name and its tokens in every language (anchors marked)."""
        cfg = self.config
        anchored = {(sq, li) for g in cfg.anchors for sq in g.squares for li in g.languages}
        rows = []
        for sq in PLAYABLE:
            row = {"square": sq, "move": square_name(sq)}
            for li, lang in enumerate(cfg.languages):
                toks = " ".join(str(int(t)) for t in self.tokens[li, sq, : self.lengths[li, sq]])
                row[lang.name] = toks + (" *" if (sq, li) in anchored else "")
            rows.append(row)
        return rows

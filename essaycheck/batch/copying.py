"""Copying: how much of each essay is shared with the source, and with other essays of the class.

A teacher's view only, like a similarity report: the figures and the shared passages
go into results.json and the class report, never into what a student is shown.

Words are compared normalised (lower-cased, stemmed, punctuation dropped). Two texts
share a passage where they share a run of at least ``SHINGLE_WORDS`` such words;
runs a few words apart are merged into one passage, so a changed word here and there
does not break a copied paragraph into pieces. An essay's share is the part of its
words inside shared passages.

Within a class, each essay is read once. Its shingles (runs of ``SHINGLE_WORDS``
words, each as a 64-bit hash) are counted across the class, to find the text most
of the class shares, and winnowed (Schleimer, Wilkerson and Aiken, 2003: the
smallest hash of every ``WINDOW`` shingles in a row, as MOSS does) into a few
fingerprints: two essays that share a run of ``SHINGLE_WORDS + WINDOW - 1`` words
or more share a fingerprint, so the pairs that share a fingerprint are the only ones
compared word by word. The class is held only as these hashes, 8 bytes per distinct
shingle of each essay, for as long as the pass runs. Text an essay shares with the
source counts as copied from the source, not from the essays that copy the same
source; text most of the class shares (a question pasted at the top of each essay)
counts as nobody's.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from essaycheck.batch.journal import AmendedResults
from essaycheck.results import COPY_FLAG, FROM_SOURCE, Copying, EssayResult, SharedPassage
from essaycheck.rubric import Rubric

if TYPE_CHECKING:
    import Stemmer
    from numpy.typing import NDArray

    Keys = NDArray[np.uint64]
    Mask = NDArray[np.bool_]
    Ids = NDArray[np.int32]

SHINGLE_WORDS = 8
"""The shortest run of shared normalised words that counts as a shared passage."""
MERGE_GAP = 3
"""Shared runs at most this many words apart are one passage (an edited word or two)."""
WINDOW = 8
"""Winnowing keeps the smallest hash of every this many shingles in a row: two essays
sharing ``SHINGLE_WORDS + WINDOW - 1`` words in a row (15) always share a fingerprint,
and about a quarter of an essay's shingles are fingerprints."""
FLAG_SHARE = COPY_FLAG
"""The share of an essay's words, copied from one place, at which a report flags it."""
COMMON_SHARE = 0.05
"""Text in more than this share of a class's essays is common to the class, not copied:
a quotation or a question many students share is not one student copying another."""
COMMON_ESSAYS = 10
"""Text must also be in more than this many essays to be common: in a small class, a few
essays sharing a passage are still reported."""
MAX_PARTNERS = 20
"""The most essays each essay is compared with word by word: those it shares the most
fingerprints with.

It bounds the work when many essays share a little text each (a class quoting the
same sentences), which would otherwise compare every pair."""
SOURCE = FROM_SOURCE
"""What a passage copied from the source names as where it is from."""
CHUNK_PAIRS = 1_000_000
"""The most candidate pairs ranked at once (8 bytes each, a few copies): the pairs of a
large class that quotes the same sentences are ranked a range of essays at a time."""

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NONE: Keys = np.empty(0, dtype=np.uint64)
_NO_IDS: Ids = np.empty(0, dtype=np.int32)


@dataclass(frozen=True)
class Words:
    """A text's words, normalised, and its shingles."""

    text: str
    stems: tuple[str, ...]
    keys: Keys = field(compare=False, repr=False)
    """A 64-bit hash of each run of SHINGLE_WORDS words, by its first word's index: the
    same in every process."""

    def __len__(self) -> int:
        return len(self.stems)

    def spans(self) -> list[tuple[int, int]]:
        """Where each word is in the text: its first character and the one after its last."""
        return spans_of(self.text)


def spans_of(text: str) -> list[tuple[int, int]]:
    """Where each word of ``text`` is, in the order ``words_of`` gives them."""
    return [match.span() for match in _WORD.finditer(text)]


def words_of(text: str) -> Words:
    """Split a text into words, each lower-cased and stemmed, and hash its shingles."""
    words = [word.lower().replace("’", "'") for word in _WORD.findall(text)]
    stems = tuple(_stemmer().stemWords(words))
    return Words(text, stems, _shingle_keys(stems))


def _shingle_keys(stems: Sequence[str]) -> Keys:
    """Hash each run of SHINGLE_WORDS words: a polynomial of the words' own hashes, mixed."""
    count = len(stems) - SHINGLE_WORDS + 1
    if count <= 0:
        return _NONE
    ids = np.fromiter(map(_word_hash, stems), dtype=np.uint64, count=len(stems))
    keys = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):  # arithmetic wraps modulo 2**64, as a hash should
        keys = keys * np.uint64(0x100000001B3) + ids[offset : offset + count]
    keys ^= keys >> np.uint64(31)  # splitmix64's finaliser: every bit of the words reaches
    keys *= np.uint64(0xBF58476D1CE4E5B9)  # every bit of the key, so the smallest keys
    keys ^= keys >> np.uint64(29)  # winnowing picks are spread evenly
    return keys


@lru_cache(maxsize=1 << 16)
def _word_hash(stem: str) -> int:
    return int.from_bytes(hashlib.blake2b(stem.encode("utf-8"), digest_size=8).digest(), "big")


def shingle_set(words: Words) -> Keys:
    """Every shingle of a text, sorted, each once."""
    return np.unique(words.keys)


def shared_runs(words: Words, other: Keys) -> list[range]:
    """The runs of word indices of ``words`` inside shingles ``other`` holds, merged."""
    return runs_of(np.isin(words.keys, other))


def runs_of(shared: Mask) -> list[range]:
    """The merged runs of word indices inside the shingles marked ``shared``."""
    runs: list[list[int]] = []
    for index in np.flatnonzero(shared).tolist():
        end = index + SHINGLE_WORDS
        if runs and index - runs[-1][1] <= MERGE_GAP:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([index, end])
    return [range(start, end) for start, end in runs]


def own_shingles(keys: Keys, ignore: Keys) -> Mask:
    """Which of a text's shingles ``keys`` have none of their words in a shingle of ``ignore``."""
    ignored = np.isin(keys, ignore)
    if not ignored.any():
        return np.ones(len(keys), dtype=np.bool_)
    # a word is ignored when any of the SHINGLE_WORDS shingles over it is
    ignored_words = np.convolve(ignored, np.ones(SHINGLE_WORDS, dtype=np.bool_)) > 0
    own: Mask = np.logical_not(sliding_window_view(ignored_words, SHINGLE_WORDS).any(axis=1))
    return own


def fingerprints(keys: Keys) -> Keys:
    """A text's winnowed fingerprints: the smallest of every WINDOW shingle hashes in a row."""
    if len(keys) <= WINDOW:
        return np.unique(keys)[:1]
    return np.unique(sliding_window_view(keys, WINDOW).min(axis=1))


def share_of(words: Words, runs: Sequence[range]) -> float:
    """The part of a text's words inside any of the runs."""
    return share_of_count(len(words), runs)


def passages(words: Words, runs: Sequence[range], origin: str) -> list[SharedPassage]:
    """The runs as passages of the text: character offsets, and where they are from."""
    return _passages(words.spans() if runs else [], runs, origin)


def _passages(
    spans: Sequence[tuple[int, int]], runs: Sequence[range], origin: str
) -> list[SharedPassage]:
    return [
        SharedPassage(start=spans[run[0]][0], end=spans[run[-1]][1], origin=origin) for run in runs
    ]


def source_copying(text: str, source: str | None) -> tuple[float | None, list[SharedPassage]]:
    """The share of ``text`` copied from ``source``, and the passages (None: no source)."""
    if source is None:
        return None, []
    words = words_of(text)
    runs = shared_runs(words, shingle_set(words_of(source)))
    return share_of(words, runs), passages(words, runs, SOURCE)


def class_copying(
    results: Sequence[EssayResult], source: str | None = None
) -> list[Copying | None]:
    """Every essay's copying, in the results' order (None for an essay that failed)."""
    return list(each_copying(results, source))


def each_copying(
    results: Sequence[EssayResult], source: str | None = None
) -> Iterator[Copying | None]:
    """Yield every essay's copying, in the results' order (None for an essay that failed).

    ``results`` is read once, one essay at a time (it may be read from disk), and
    once more only for the essays found to share text (to place the passages): the
    class is held as its shingle hashes only, 8 bytes a word, not as text, and each
    essay's copying is yielded as soon as it is found, not held. Text in more than
    COMMON_SHARE of the essays (and COMMON_ESSAYS of them), such as a question
    pasted at the top of each, counts as nobody's, like the source's.
    """
    source_keys = shingle_set(words_of(source)) if source is not None else _NONE
    keys: dict[int, Keys] = {}
    counts: list[int | None] = []
    names: list[str] = []
    for index, result in enumerate(results):
        names.append(result.name)
        if result.is_failed:
            counts.append(None)
            continue
        words = words_of(result.text)
        counts.append(len(words))
        keys[index] = words.keys
    ignore = np.union1d(source_keys, _common_shingles(list(keys.values()), source_keys))
    prints = {index: np.setdiff1d(fingerprints(each), ignore) for index, each in keys.items()}
    essays, partners = _partners(prints)
    starts = np.searchsorted(essays, np.arange(len(names) + 1))
    for index, count in enumerate(counts):
        if count is None:
            yield None
            continue
        own_keys = keys[index]
        source_runs = runs_of(np.isin(own_keys, source_keys)) if source is not None else []
        own = own_shingles(own_keys, ignore)
        class_runs: dict[int, list[range]] = {}
        for other in partners[starts[index] : starts[index + 1]].tolist():
            runs = runs_of(np.isin(own_keys, keys[other]) & own)
            if runs:
                class_runs[other] = runs
        found: list[SharedPassage] = []
        if source_runs or class_runs:
            spans = spans_of(results[index].text)  # no need to stem it again
            found = _passages(spans, source_runs, SOURCE)
            for other, runs in class_runs.items():
                found.extend(_passages(spans, runs, names[other]))
        yield Copying(
            source=share_of_count(count, source_runs) if source is not None else None,
            class_share=share_of_count(
                count, [run for runs in class_runs.values() for run in runs]
            ),
            passages=tuple(sorted(found, key=lambda p: (p.start, p.end, p.origin))),
        )


def _common_shingles(keys: list[Keys], source: Keys) -> Keys:
    """The shingles in so many of the class's essays that they are nobody's own text."""
    least = int(max(COMMON_ESSAYS, COMMON_SHARE * len(keys))) + 1  # essays that make it common
    if len(keys) < least:
        return _NONE
    every = np.empty(sum(len(each) for each in keys), dtype=np.uint64)
    filled = 0
    for each in keys:  # each essay's shingles once, into one array (not a copy of many)
        own = np.setdiff1d(each, source)
        every[filled : filled + len(own)] = own
        filled += len(own)
    every = every[:filled]
    every.sort()
    # sorted, a shingle in ``least`` essays or more equals the one ``least - 1`` places on
    return np.unique(every[least - 1 :][every[least - 1 :] == every[: len(every) - least + 1]])


def _partners(prints: dict[int, Keys]) -> tuple[Ids, Ids]:
    """The pairs of essays to compare word by word: (essays, partners), sorted, both ways.

    Two essays are candidates when they share a fingerprint (``prints`` holds
    only the essays' own, none of the ignored text's); each essay keeps the
    MAX_PARTNERS it shares the most fingerprints with. A fingerprint many essays
    share pairs each of them with the MAX_PARTNERS after it only, so a class
    quoting the same sentences does not pair every essay with every other.
    """
    owners = np.concatenate(
        [np.full(len(keys), index, dtype=np.int64) for index, keys in prints.items()]
        + [np.empty(0, dtype=np.int64)]
    )
    keys = np.concatenate([*prints.values(), _NONE])
    prints.clear()
    if len(keys) < 2:
        return _NO_IDS, _NO_IDS
    order = np.argsort(keys, kind="stable")
    keys, owners = keys[order], owners[order]
    del order
    size = int(owners.max()) + 1
    group = np.cumsum(np.concatenate([[False], keys[1:] != keys[:-1]]))  # by fingerprint
    del keys
    steps = range(1, min(MAX_PARTNERS, len(group) - 1) + 1)
    pairs = 2 * sum(int(np.count_nonzero(group[:-step] == group[step:])) for step in steps)
    # The pairs of a class that quotes the same sentences are many (up to 2 * MAX_PARTNERS
    # per fingerprint): they are ranked for a range of essays at a time, which is exact,
    # as each essay's ranking needs only its own pairs.
    bounds = np.linspace(0, size, max(1, -(-pairs // CHUNK_PAIRS)) + 1).astype(np.int64)
    chosen = [
        _likeliest(owners, group, steps, size, int(low), int(high))
        for low, high in itertools.pairwise(bounds)
    ]
    one = np.concatenate([first for first, _ in chosen] + [_NO_IDS]).astype(np.int64)
    two = np.concatenate([second for _, second in chosen] + [_NO_IDS]).astype(np.int64)
    # each pair both ways (an essay is compared with the partners it chose and those that
    # chose it), sorted by essay, then partner
    both = np.unique(np.concatenate([one * size + two, two * size + one]))
    essays, partners = np.divmod(both, size)
    return essays.astype(np.int32), partners.astype(np.int32)


def _likeliest(
    owners: NDArray[np.int64],
    group: NDArray[np.int64],
    steps: range,
    size: int,
    low: int,
    high: int,
) -> tuple[Ids, Ids]:
    """The pairs (essay, later partner) for the essays ``low`` to ``high`` (excluded).

    ``owners`` holds the essay of each fingerprint, ``group`` which fingerprint it is
    (sorted, so each fingerprint's holders follow one another, in essay order).
    An essay keeps the MAX_PARTNERS it shares the most fingerprints with.
    """
    codes = []  # each holder of a fingerprint with the holders up to MAX_PARTNERS after it
    for step in steps:
        same = group[:-step] == group[step:]
        first, second = owners[:-step][same], owners[step:][same]
        for essay, partner in ((first, second), (second, first)):
            mine = (essay >= low) & (essay < high)
            codes.append(essay[mine] * size + partner[mine])
    every = np.concatenate([*codes, np.empty(0, dtype=np.int64)])
    codes.clear()
    if not len(every):
        return _NO_IDS, _NO_IDS
    pairs, counts = np.unique(every, return_counts=True)
    del every
    most = int(counts.max()) + 1
    essay, partner = np.divmod(pairs, size)
    # one number that sorts by essay, then most shared, then partner
    ranked = (essay * most + most - 1 - counts) * size + partner
    del pairs, counts, essay, partner
    ranked.sort()
    essay, partner = ranked // (most * size), ranked % size
    del ranked
    rank = np.arange(len(essay)) - np.searchsorted(essay, essay)
    likeliest = (rank < MAX_PARTNERS) & (partner > essay)
    return essay[likeliest].astype(np.int32), partner[likeliest].astype(np.int32)


def share_of_count(count: int, runs: Sequence[range]) -> float:
    """The part of ``count`` words inside any of the runs."""
    covered: set[int] = set()
    for run in runs:
        covered.update(run)
    return len(covered) / count if count else 0.0


class StoredCopying(Mapping[str, Copying | None]):
    """A class's copying, kept in a file (one JSON line an essay) and read back by name.

    ``store_copying`` writes it as the class pass finds it, so the copying of a large
    class is never all in memory. It pickles (its path and offsets): a worker process
    may write a report from results it is attached to.
    """

    def __init__(self, path: Path, offsets: dict[str, int]) -> None:
        self.path = path
        self.offsets = offsets  # by essay name; -1 for an essay that failed

    def __getitem__(self, name: str) -> Copying | None:
        offset = self.offsets[name]
        if offset < 0:
            return None
        with self.path.open("rb") as file:
            file.seek(offset)
            return Copying.from_dict(json.loads(file.readline()))

    def __iter__(self) -> Iterator[str]:
        return iter(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets)


def store_copying(
    results: Sequence[EssayResult], names: Sequence[str], source: str | None, path: Path
) -> StoredCopying:
    """Find the copying of every essay (``names``: the results' names) and keep it in ``path``."""
    offsets: dict[str, int] = {}
    with path.open("wb") as file:
        for name, copying in zip(names, each_copying(results, source), strict=True):
            offsets[name] = -1 if copying is None else file.tell()
            if copying is not None:
                line = json.dumps(copying.to_dict(rounded=False), sort_keys=True)
                file.write(line.encode("utf-8") + b"\n")
    return StoredCopying(path, offsets)


def with_copying(
    results: Sequence[EssayResult], copying: Mapping[str, Copying | None]
) -> Sequence[EssayResult]:
    """A class's results with each essay's copying (by its name) attached as it is read."""
    return AmendedResults(results, partial(_attach, copying))


def _attach(copying: Mapping[str, Copying | None], result: EssayResult) -> EssayResult:
    return replace(result, copying=copying[result.name])


def rubric_source(rubric: Rubric) -> tuple[Path | None, str | None]:
    """The source file a rubric records, and why it cannot be used (None when it can).

    ``rubric build`` records its source's path (relative to the rubric file) and
    SHA-256. Gives ``(None, None)`` when the rubric records no fingerprinted source.
    """
    if not rubric.source or not rubric.source_sha256:
        return None, None
    base = rubric.path.parent if rubric.path is not None else Path()
    path = base / rubric.source
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        return None, (
            f"{path}: the rubric's source cannot be read ({reason}), so copying from the "
            "source is not checked. Pass --source FILE to name it."
        )
    if digest != rubric.source_sha256:
        return None, (
            f"{path}: is not the source the rubric was built from (its SHA-256 differs), "
            "so copying from the source is not checked. Pass --source FILE to name it."
        )
    return path, None


@cache
def _stemmer() -> Stemmer.Stemmer:
    import Stemmer

    return Stemmer.Stemmer("english")

"""Copying: how much of each essay is shared with the source, and with other essays of the class.

A teacher's view only, like a similarity report: the figures and the shared passages
go into results.json and the class report, never into what a student is shown.

Words are compared normalised (lower-cased, stemmed, punctuation dropped). Two texts
share a passage where they share a run of at least ``SHINGLE_WORDS`` such words;
runs a few words apart are merged into one passage, so a changed word here and there
does not break a copied paragraph into pieces. An essay's share is the part of its
words inside shared passages.

Within a class, every essay's shingles go into a MinHash signature (datasketch, with
a fixed seed, so the same class always gives the same figures), and locality-sensitive
hashing proposes the pairs worth comparing: a class of thousands is not compared pair
by pair, and no text is held for the whole class (only signatures, and for a moment
an 8-byte digest per word, to count which text most of the class shares). Text an
essay shares with the source counts as copied from the source, not from the essays
that copy the same source; text most of the class shares (a question pasted at the
top of each essay) counts as nobody's.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, overload

from essaycheck.results import COPY_FLAG, FROM_SOURCE, Copying, EssayResult, SharedPassage
from essaycheck.rubric import Rubric

if TYPE_CHECKING:
    import Stemmer

SHINGLE_WORDS = 8
"""The shortest run of shared normalised words that counts as a shared passage."""
MERGE_GAP = 3
"""Shared runs at most this many words apart are one passage (an edited word or two)."""
NUM_PERM = 128
"""Permutations of each MinHash signature."""
SEED = 1
"""The MinHash seed: fixed, so results never change between runs."""
LSH_THRESHOLD = 0.03
"""The estimated Jaccard similarity of two essays' shingles at which LSH proposes the pair.

Low on purpose: an essay of 480 words that shares a paragraph of 80 with another
shares only about a twelfth of its shingles, and every proposed pair is checked
word by word anyway."""
FLAG_SHARE = COPY_FLAG
"""The share of an essay's words, copied from one place, at which a report flags it."""
COMMON_SHARE = 0.05
"""Text in more than this share of a class's essays is common to the class, not copied:
a quotation or a question many students share is not one student copying another."""
COMMON_ESSAYS = 10
"""Text must also be in more than this many essays to be common: in a small class, a few
essays sharing a passage are still reported."""
MAX_PARTNERS = 20
"""The most essays each essay is compared with word by word: those LSH finds likeliest.

It bounds the work when many essays share a little text each (a class quoting the
same sentences), which would otherwise compare every pair."""
SOURCE = FROM_SOURCE
"""What a passage copied from the source names as where it is from."""

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Words:
    """A text's words: where each is in the text, and its normalised form."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    stems: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.stems)

    def shingles(self) -> Iterator[tuple[int, int]]:
        """Yield each run of SHINGLE_WORDS words: its first word's index, and its key.

        The key is a 64-bit digest of the words, the same in every process.
        """
        for index in range(len(self.stems) - SHINGLE_WORDS + 1):
            words = " ".join(self.stems[index : index + SHINGLE_WORDS]).encode("utf-8")
            digest = hashlib.blake2b(words, digest_size=8).digest()
            yield index, int.from_bytes(digest, "big")


def words_of(text: str) -> Words:
    """Split a text into words, each lower-cased and stemmed."""
    found = list(_WORD.finditer(text))
    stems = _stemmer().stemWords([match.group().lower().replace("’", "'") for match in found])
    return Words(
        tuple(match.start() for match in found),
        tuple(match.end() for match in found),
        tuple(stems),
    )


def shingle_set(words: Words) -> set[int]:
    """Every shingle of a text, as a set."""
    return {key for _, key in words.shingles()}


def shared_runs(
    words: Words, other: AbstractSet[int], ignore: AbstractSet[int] = frozenset()
) -> list[range]:
    """The runs of word indices of ``words`` inside shingles ``other`` holds, merged.

    With ``ignore`` (the source's and the class's common text, when comparing two
    essays), a shingle counts only when none of its words is in such text: a
    passage is the essays' own. Runs at most MERGE_GAP words apart are merged.
    """
    return runs_of(own_shingles(words, ignore), other)


def runs_of(shingles: Sequence[tuple[int, int]], other: AbstractSet[int]) -> list[range]:
    """The merged runs of word indices inside those of ``shingles`` that ``other`` holds."""
    runs: list[list[int]] = []
    for index, key in shingles:
        if key not in other:
            continue
        end = index + SHINGLE_WORDS
        if runs and index - runs[-1][1] <= MERGE_GAP:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([index, end])
    return [range(start, end) for start, end in runs]


def own_shingles(words: Words, ignore: AbstractSet[int]) -> list[tuple[int, int]]:
    """The shingles of ``words`` none of whose words is in a shingle of ``ignore``."""
    shingles = list(words.shingles())
    if not ignore:
        return shingles
    ignored = [False] * len(words)
    for index, key in shingles:
        if key in ignore:
            ignored[index : index + SHINGLE_WORDS] = [True] * SHINGLE_WORDS
    return [
        (index, key) for index, key in shingles if not any(ignored[index : index + SHINGLE_WORDS])
    ]


def share_of(words: Words, runs: Sequence[range]) -> float:
    """The part of a text's words inside any of the runs."""
    return share_of_count(len(words), runs)


def passages(words: Words, runs: Sequence[range], origin: str) -> list[SharedPassage]:
    """The runs as passages of the text: character offsets, and where they are from."""
    return [
        SharedPassage(start=words.starts[run[0]], end=words.ends[run[-1]], origin=origin)
        for run in runs
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
    """Every essay's copying, in the results' order (None for an essay that failed).

    ``results`` is read three times or more, one essay at a time (it may be read
    from disk each time): for the class, only the shingles' digests (to count them),
    the MinHash signatures and the passages found are held. Text in more than COMMON_SHARE of
    the essays (and at least COMMON_ESSAYS of them), such as a question pasted at the
    top of each, counts as nobody's, like the source's.
    """
    from datasketch import LeanMinHash, MinHash, MinHashLSH

    source_shingles = shingle_set(words_of(source)) if source is not None else set()
    ignore = source_shingles | _common_shingles(results, source_shingles)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    signatures: dict[int, LeanMinHash] = {}
    found: list[_Found | None] = []
    for index, result in enumerate(results):
        if result.is_failed:
            found.append(None)
            continue
        words = words_of(result.text)
        runs = shared_runs(words, source_shingles) if source is not None else []
        found.append(_Found(len(words), runs, passages(words, runs, SOURCE), []))
        own = sorted({key for _, key in own_shingles(words, ignore)})
        if not own:
            continue
        signature = MinHash(num_perm=NUM_PERM, seed=SEED)
        signature.update_batch([key.to_bytes(8, "big") for key in own])
        signatures[index] = LeanMinHash(signature)
        lsh.insert(index, signatures[index])
    partners: dict[int, list[int]] = {}
    for index, signature in signatures.items():
        likeliest = sorted(
            (-signature.jaccard(signatures[other]), other)
            for other in lsh.query(signature)
            if other != index
        )[:MAX_PARTNERS]
        later = sorted(other for _, other in likeliest if other > index)
        if later:
            partners[index] = later
    read = _Reader(results, ignore)
    for index, others in partners.items():
        _compare(read, index, others, found)
    return [
        None
        if item is None
        else Copying(
            source=share_of_count(item.count, item.source_runs) if source is not None else None,
            class_share=share_of_count(item.count, [run for run, _ in item.class_runs]),
            passages=tuple(sorted(item.passages, key=lambda p: (p.start, p.end, p.origin))),
        )
        for item in found
    ]


def _common_shingles(results: Sequence[EssayResult], source: AbstractSet[int]) -> set[int]:
    """The shingles in so many of the class's essays that they are nobody's own text."""
    import numpy as np

    keys = [
        np.fromiter(shingle_set(words_of(result.text)) - source, dtype=np.uint64)
        for result in results
        if not result.is_failed
    ]
    limit = max(COMMON_ESSAYS, COMMON_SHARE * len(keys))
    if not keys or len(keys) <= limit:
        return set()
    unique, counts = np.unique(np.concatenate(keys), return_counts=True)
    return {int(key) for key in unique[counts > limit]}


def share_of_count(count: int, runs: Sequence[range]) -> float:
    """The part of ``count`` words inside any of the runs."""
    covered: set[int] = set()
    for run in runs:
        covered.update(run)
    return len(covered) / count if count else 0.0


@dataclass
class _Found:
    """What the class pass has found for one essay so far."""

    count: int
    source_runs: list[range]
    passages: list[SharedPassage]
    class_runs: list[tuple[range, str]]


@dataclass(frozen=True)
class _Essay:
    """One essay as the class pass compares it."""

    name: str
    words: Words
    own: list[tuple[int, int]]  # its own shingles (none of the ignored text's), in order
    shingles: set[int]  # every shingle of it


class _Reader:
    """Each essay's name, words and shingles, the most recently compared kept at hand.

    Reading an essay again (from the journal) and splitting its words costs more
    than comparing it, and one essay is compared with many: a bounded cache keeps
    that cheap without holding the class.
    """

    CACHED = 512

    def __init__(self, results: Sequence[EssayResult], ignore: AbstractSet[int]) -> None:
        self.results = results
        self.ignore = ignore
        self.cached: OrderedDict[int, _Essay] = OrderedDict()

    def __call__(self, index: int) -> _Essay:
        """Essay ``index``: its name, words, own shingles (in order) and every shingle."""
        if index in self.cached:
            self.cached.move_to_end(index)
            return self.cached[index]
        result = self.results[index]
        words = words_of(result.text)
        shingles = list(words.shingles())
        entry = _Essay(
            result.name, words, own_shingles(words, self.ignore), {key for _, key in shingles}
        )
        self.cached[index] = entry
        if len(self.cached) > self.CACHED:
            self.cached.popitem(last=False)
        return entry


def _compare(read: _Reader, index: int, others: Sequence[int], found: list[_Found | None]) -> None:
    """Find the passages essay ``index`` shares with each of ``others``, both ways."""
    first = read(index)
    for other in others:
        second = read(other)
        for position, essay, name, shingles in (
            (index, first, second.name, second.shingles),
            (other, second, first.name, first.shingles),
        ):
            words = essay.words
            runs = runs_of(essay.own, shingles)
            item = found[position]
            if item is None or not runs:
                continue
            item.class_runs.extend((run, name) for run in runs)
            item.passages.extend(passages(words, runs, name))


class CopiedResults(Sequence[EssayResult]):
    """A class's results with each essay's copying attached as it is read (never all held)."""

    def __init__(self, results: Sequence[EssayResult], copying: Sequence[Copying | None]) -> None:
        self.results = results
        self.copying = tuple(copying)

    def __len__(self) -> int:
        return len(self.results)

    @overload
    def __getitem__(self, index: int) -> EssayResult: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[EssayResult]: ...

    def __getitem__(self, index: int | slice) -> EssayResult | Sequence[EssayResult]:
        if isinstance(index, slice):
            return CopiedResults(self.results[index], self.copying[index])
        return replace(self.results[index], copying=self.copying[index])

    def __iter__(self) -> Iterator[EssayResult]:
        for result, copying in zip(self.results, self.copying, strict=True):
            yield replace(result, copying=copying)


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

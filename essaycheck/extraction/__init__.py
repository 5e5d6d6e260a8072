"""build_rubric(): the key points of a source, as a teacher would write them, to review.

The source's layout is read first (``blocks``: paragraphs, headings, bullets, table
rows, a mark scheme's elements); fragments become sentences (``fragments``); each
sentence gives one self-contained claim per clause (``claims``), or finer units
with ``detail="fine"`` (``detail``); near-duplicates merge and the points a teacher
would mark are kept with a proposed weight (``selection``); each point gets an id
naming its concept (``naming``) and a hint, the question a teacher would ask
(``hints``, ``questions``; both read the word lists in ``words``). Sentences are
parsed with spaCy's en_core_web_sm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from essaycheck.errors import RubricError
from essaycheck.extraction.blocks import SOURCE_KINDS, Block, SourceKind, guess_kind, read_blocks
from essaycheck.extraction.claims import (
    MIN_CONTENT_WORDS,
    MIN_ITEM_CONTENT_WORDS,
    Claim,
    clauses,
    render,
)
from essaycheck.extraction.coreference import (
    Context,
    find_people,
    has_open_pronoun,
    is_attributed,
    person_of,
    resolve,
    resolve_within,
    update,
)
from essaycheck.extraction.detail import finer_units
from essaycheck.extraction.fragments import complete, has_label, is_clause, is_past, is_person
from essaycheck.extraction.hints import hint
from essaycheck.extraction.naming import assign_ids
from essaycheck.extraction.selection import DETAILS, Detail, Proposal, choose, merge_duplicates
from essaycheck.rubric import KeyPoint, Rubric

__all__ = [
    "DETAILS",
    "SOURCE_KINDS",
    "BuiltRubric",
    "Detail",
    "SourceKind",
    "build_rubric",
    "propose_rubric",
]


@dataclass(frozen=True)
class BuiltRubric:
    """A proposed rubric, with why each point got its weight (for the teacher to check).

    Attributes:
        rubric: the rubric.
        reasons: point id -> why its weight and ``required`` were proposed.
        kinds: source name -> the kind it was read as (given or guessed).
    """

    rubric: Rubric
    reasons: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, SourceKind] = field(default_factory=dict)


def build_rubric(
    text: str,
    title: str,
    source: str = "",
    *,
    kind: SourceKind | None = None,
    detail: Detail = "default",
    max_points: int | None = None,
) -> Rubric:
    """Extract a rubric of key points from one source text.

    Raises:
        RubricError: the source holds no claim that could become a key point.
    """
    built = propose_rubric([(source, text)], title, kind=kind, detail=detail, max_points=max_points)
    return built.rubric


def propose_rubric(
    sources: Sequence[tuple[str, str]],
    title: str,
    *,
    kind: SourceKind | None = None,
    detail: Detail = "default",
    max_points: int | None = None,
) -> BuiltRubric:
    """Build one rubric from several (name, text) sources, with the reasons for its weights.

    Args:
        sources: each source's name (for messages and the rubric's ``source``) and text.
        title: the rubric's title.
        kind: what the sources are; guessed for each when None.
        detail: ``fine`` for one fact per point, ``coarse`` for a few broad points.
        max_points: the most points to keep (default: by ``detail``; 15 for a page).

    Raises:
        RubricError: no source holds a claim that could become a key point.
    """
    from essaycheck.engine.pipelines import load_parser_nlp

    nlp = load_parser_nlp()
    parse = _parser(nlp)
    claims: list[Claim] = []
    kinds: dict[str, SourceKind] = {}
    for name, text in sources:
        kinds[name] = kind or guess_kind(text)
        claims += _source_claims(text, kinds[name], detail, parse, len(claims))
    names = ", ".join(name for name, _ in sources if name)
    if not claims:
        raise RubricError(
            f"{names or 'the source'}: no key points found. A source needs sentences, "
            "notes or list items that make claims (who did, said or wanted what); add some, "
            "or write the rubric by hand (see: essaycheck rubric validate --help)."
        )
    proposals = choose(merge_duplicates(claims, detail), detail, max_points)
    chosen = [proposal.claim for proposal in proposals]
    ids = assign_ids(chosen)
    points = tuple(
        KeyPoint(
            id=point_id,
            text=proposal.claim.text,
            weight=proposal.weight,
            hint=hint(proposal.claim),
            examples=proposal.examples,
            required=proposal.required,
        )
        for point_id, proposal in zip(ids, proposals, strict=True)
    )
    reasons = {point_id: _reason(p) for point_id, p in zip(ids, proposals, strict=True)}
    return BuiltRubric(Rubric(title=title, points=points, source=names), reasons, kinds)


def _reason(proposal: Proposal) -> str:
    return f"weight {proposal.weight:g}, {'required' if proposal.required else 'optional'}: " + (
        proposal.reason
    )


def _parser(nlp: Language) -> Callable[[str], Doc]:
    @lru_cache(maxsize=4096)
    def parse(text: str) -> Doc:
        # The parser ends a sentence at "..." but not at "…".
        return nlp(text.replace("…", "..."))

    return parse


def _source_claims(
    text: str, kind: SourceKind, detail: Detail, parse: Callable[[str], Doc], start: int
) -> list[Claim]:
    blocks = read_blocks(text, kind)
    docs = [parse(block.text) for block in blocks]
    whole = parse("\n\n".join(block.text for block in blocks))
    past = is_past(whole)
    context = Context(people=find_people(whole))
    claims: list[Claim] = []
    for number, (block, doc) in enumerate(zip(blocks, docs, strict=True)):
        if block.heading and is_person(block.heading, context, parse):
            context.person = block.heading
            context.people.update(block.heading.split())
        least = MIN_ITEM_CONTENT_WORDS if block.is_item else MIN_CONTENT_WORDS
        for sentence, completed in _sentences(block, doc, context, past, parse):
            for part in clauses(sentence, MIN_ITEM_CONTENT_WORDS if completed else least):
                claims += _part_claims(part, block, number, context, detail, start + len(claims))
            update(context, sentence)
    return claims


def _sentences(
    block: Block, doc: Doc, context: Context, past: bool, parse: Callable[[str], Doc]
) -> list[tuple[Span, bool]]:
    """The block's sentences, fragments made whole (an item is one sentence).

    Each comes with whether it was a fragment made whole.
    """
    spans = [doc[:]] if block.is_item else list(doc.sents)
    found: list[tuple[Span, bool]] = []
    for span in spans:
        completed = None
        if not is_clause(span) or (block.is_item and has_label(span.text)):
            completed = complete(span.text, block.heading, context, past, parse)
        found += [(next(iter(parse(completed).sents)), True)] if completed else [(span, False)]
    return found


def _part_claims(
    part: list[Token], block: Block, number: int, context: Context, detail: Detail, order: int
) -> list[Claim]:
    replaced = resolve(part, context)
    person = person_of(part, context)
    units = finer_units(part) if detail == "fine" else [(part, {})]
    claims: list[Claim] = []
    for unit, words in units:
        swaps = replaced if unit is part else resolve_within(unit, part, replaced)
        if unit is not part and has_open_pronoun(unit, swaps):
            continue
        text = render(unit, {**swaps, **words})
        if not text or any(claim.text == text for claim in claims):
            continue
        claims.append(
            Claim(
                text=text,
                tokens=tuple(unit),
                person=person,
                is_attributed=is_attributed(part, person),
                order=order + len(claims),
                paragraph=block.paragraph,
                sentence=number,
                marks=block.marks,
                is_fine=unit is not part,
                replaced=tuple(
                    sorted((i, w) for i, w in swaps.items() if i in {t.i for t in unit})
                ),
            )
        )
    return claims

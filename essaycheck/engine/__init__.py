"""The engine: which key points an essay covers, decided from similarity, checks and a rule.

``ENGINES`` is the one table of engines: ``--engine`` offers its keys, and
loading, calibration, the journal and the reports all take an engine's identity
from its row. A third engine is one new module (its ``Embeddings``) and one row.

    >>> from essaycheck.engine import load_checker
    >>> checker = load_checker("fast")
    >>> result = checker.check(essay, rubric)

The engine's similarity is also reachable through spaCy's own API:

    >>> nlp = essaycheck.engine.pipeline("fast")
    >>> nlp("Stalin wanted socialism in one country.").similarity(nlp(point.text))

gives the cosine between the two texts' sentence embeddings, the same number the
matcher computes in its batched matrix products while marking.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from essaycheck.engine.base import Embeddings, EngineSpec
from essaycheck.errors import ModelError
from essaycheck.io.models import models_dir as default_models_dir
from essaycheck.io.models import read_meta

if TYPE_CHECKING:
    from spacy.language import Language

    from essaycheck.engine.checker import Checker
    from essaycheck.engine.entailment import EntailmentStage
    from essaycheck.io.essays import Essay
    from essaycheck.results import Calibrator, EngineInfo, EssayResult
    from essaycheck.rubric import Rubric

__all__ = [
    "ENGINES",
    "Embeddings",
    "EngineSpec",
    "check_essay",
    "describe_engine",
    "get_engine",
    "load_checker",
    "load_embeddings",
    "pipeline",
]


def _load_static(folder: Path, threads: int | None) -> Embeddings:
    from essaycheck.engine.static import StaticEmbeddings

    return StaticEmbeddings.load(folder)  # a table lookup: one thread is all it uses


def _load_precise(folder: Path, threads: int | None) -> Embeddings:
    from essaycheck.engine.precise import TransformerEmbeddings

    return TransformerEmbeddings.load(folder, threads)


FAST = EngineSpec(
    key="fast",
    name="static-centred",
    version="1",
    # all-MiniLM-L6-v2 distilled into a static table, then trained on ArgKP-2021
    embeddings_dir="minilm-static-256-argkp",
    rule_dir="decision-rule",
    load=_load_static,
    description="logistic decision rule over centred static-embedding similarity, "
    "centred content-word overlap and the point's informative words aligned",
)
PRECISE = EngineSpec(
    key="precise",
    name="precise-centred",
    version="1",
    # all-MiniLM-L6-v2 fine-tuned on ArgKP-2021, run with onnxruntime
    embeddings_dir="minilm-argkp-precise",
    rule_dir="decision-rule-precise",
    load=_load_precise,
    description="logistic decision rule over centred transformer-embedding similarity, "
    "centred content-word overlap and the point's informative words aligned",
)
ENTAIL = EngineSpec(
    key="entail",
    name="static-entailment",
    version="1",
    # the fast engine's similarity, then a cross-encoder (all-MiniLM-L6-v2 fine-tuned
    # on ArgKP-2021 and ASAP-SAS answers, int8) reads each candidate against its point
    embeddings_dir="minilm-static-256-argkp",
    rule_dir="decision-rule",
    entailment_dir="minilm-entailment",
    load=_load_static,
    description=FAST.description,
)
ENGINES: dict[str, EngineSpec] = {spec.key: spec for spec in (FAST, PRECISE, ENTAIL)}


def get_engine(key: str) -> EngineSpec:
    """Return the engine called ``key``."""
    try:
        return ENGINES[key]
    except KeyError:
        raise ModelError(f"unknown engine {key!r}: choose one of {', '.join(ENGINES)}") from None


def load_embeddings(
    engine: str = "fast", models_dir: Path | None = None, threads: int | None = None
) -> Embeddings:
    """Load an engine's sentence embeddings from a models folder (default: the shipped one)."""
    spec = get_engine(engine)
    return spec.load(default_models_dir(models_dir) / spec.embeddings_dir, threads)


def load_checker(
    engine: str = "fast", models_dir: Path | None = None, threads: int | None = None
) -> Checker:
    """Load an engine from a models folder (default: essaycheck's models/).

    ``threads`` caps the precise engine's threads: a worker process of ``mark
    --jobs`` gets its share of the cores.
    """
    from essaycheck.engine.checker import Checker
    from essaycheck.engine.matcher import KeyPointMatcher
    from essaycheck.engine.pipelines import build_marking_nlp, load_checking_nlp
    from essaycheck.engine.rule import load_rule
    from essaycheck.engine.verification import ClaimVerifier

    spec = get_engine(engine)
    folder = default_models_dir(models_dir)
    embeddings = spec.load(folder / spec.embeddings_dir, threads)
    matcher = KeyPointMatcher(embeddings, load_rule(folder / spec.rule_dir))
    return Checker(
        build_marking_nlp(),
        matcher,
        spec,
        lambda: ClaimVerifier(load_checking_nlp()),
        entailment=_entailment_stage(spec, folder, threads),
    )


def _entailment_stage(
    spec: EngineSpec, folder: Path, threads: int | None
) -> EntailmentStage | None:
    """The engine's entailment stage, when its rule folder has an entailment rule."""
    from essaycheck.engine.entailment import EntailmentModel, EntailmentStage, load_entailment_rule

    rule = load_entailment_rule(folder / spec.rule_dir)
    if rule is None or spec.entailment_dir is None:
        return None
    return EntailmentStage(EntailmentModel.load(folder / spec.entailment_dir, threads), rule)


def describe_engine(
    engine: str, models_dir: Path | None = None, calibration: Calibrator | None = None
) -> EngineInfo:
    """Describe an engine as ``Checker.info`` does, from its files, without loading its model."""
    from essaycheck.engine.entailment import load_entailment_rule
    from essaycheck.engine.rule import load_rule

    spec = get_engine(engine)
    folder = default_models_dir(models_dir)
    embeddings = folder / spec.embeddings_dir
    meta = read_meta(embeddings, "Restore models/ from the repository.")
    entailment = load_entailment_rule(folder / spec.rule_dir)
    if entailment is None or spec.entailment_dir is None:
        review_band = load_rule(folder / spec.rule_dir).review_band
        return spec.info(str(meta.get("name", embeddings.name)), review_band, calibration)
    info = spec.info(str(meta.get("name", embeddings.name)), entailment.review_band, calibration)
    return replace(info, checks=("entailment", *info.checks))


def pipeline(engine: str = "fast", models_dir: Path | None = None) -> Language:
    """Return a spaCy pipeline whose ``similarity`` is the engine's cosine.

    The marking pipeline (tokenizer, sentence boundaries) with the
    ``essaycheck_similarity`` component: ``nlp(a).similarity(nlp(b))``, and the
    same on spans such as ``doc.sents``, is the cosine between the engine's
    sentence embeddings of the two texts.
    """
    from essaycheck.engine.pipelines import SIMILARITY, build_marking_nlp

    get_engine(engine)
    nlp = build_marking_nlp()
    config = {"engine": engine, "models_dir": str(models_dir) if models_dir else ""}
    nlp.add_pipe(SIMILARITY, config=config)
    return nlp


def check_essay(essay: Essay, rubric: Rubric, checker: Checker | None = None) -> EssayResult:
    """Check one essay against a rubric with the given (or the shipped) engine."""
    return (checker or load_checker()).check(essay, rubric)

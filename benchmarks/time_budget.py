"""Where essaycheck's time goes: marking with and without the checks, and a cold start by phase.

benchmark_speed.py runs this with the measured venv's python and puts its figures under
the table, to say what bounds a missed target. On its own:

    python benchmarks/time_budget.py marking FOLDER RUBRIC   # essays *.txt in FOLDER
    python benchmarks/time_budget.py cold ESSAY RUBRIC       # run it in a fresh process

Each prints one JSON object on stdout.
"""

from __future__ import annotations

import json
import sys
import time

STARTED = time.perf_counter()


def marking(folder: str, rubric_path: str) -> dict[str, float]:
    """Mark the essays in-process twice, with and without the checks, and time the parses."""
    from pathlib import Path

    from essaycheck.engine import load_checker
    from essaycheck.engine.checker import Checker
    from essaycheck.engine.verification import ClaimVerifier
    from essaycheck.io.essays import Essay
    from essaycheck.rubric import load_rubric

    rubric = load_rubric(Path(rubric_path))
    essays = [
        Essay(name=path.name, text=path.read_text("utf-8"))
        for path in sorted(Path(folder).glob("*.txt"))
    ]
    words = sum(len(essay.text.split()) for essay in essays)
    checker = load_checker()
    checker.check(essays[0], rubric)  # load everything once
    parsed = {"sentences": 0.0, "words": 0.0, "seconds": 0.0}
    recognised = {"seconds": 0.0}
    parse_ahead, recognise = ClaimVerifier.parse_ahead, ClaimVerifier._recognise_entities

    def counted_parse(self: ClaimVerifier, sentences: object) -> None:
        requested = list(dict.fromkeys(sentences))  # type: ignore[call-overload]
        missing = [sentence for sentence in requested if sentence not in self._docs]
        parsed["sentences"] += len(missing)
        parsed["words"] += sum(len(sentence.split()) for sentence in missing)
        started = time.perf_counter()
        parse_ahead(self, requested)
        parsed["seconds"] += time.perf_counter() - started

    def timed_recognise(self: ClaimVerifier, docs: object, people: object) -> None:
        started = time.perf_counter()
        recognise(self, docs, people)  # type: ignore[arg-type]
        recognised["seconds"] += time.perf_counter() - started

    ClaimVerifier.parse_ahead = counted_parse  # type: ignore[method-assign]
    ClaimVerifier._recognise_entities = timed_recognise  # type: ignore[method-assign]
    started = time.perf_counter()
    for _ in checker.check_many(essays, rubric):
        pass
    with_checks = time.perf_counter() - started
    unchecked = Checker(checker.nlp, checker.matcher, checker.spec, None)
    started = time.perf_counter()
    for _ in unchecked.check_many(essays, rubric):
        pass
    without_checks = time.perf_counter() - started
    return {
        "essays": len(essays),
        "words": words,
        "with_checks_seconds": with_checks,
        "without_checks_seconds": without_checks,
        "parsed_sentences": parsed["sentences"],
        "parsed_words": parsed["words"],
        "parse_seconds": parsed["seconds"],
        "entity_seconds": recognised["seconds"],
    }


def cold(essay_path: str, rubric_path: str) -> dict[str, float]:
    """Time each phase of a first check in this (fresh) process."""
    phases: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = now - mark
        mark = now

    import spacy  # noqa: F401

    lap("import spacy")
    from pathlib import Path

    import essaycheck.cli.marking  # noqa: F401
    from essaycheck.engine import load_checker
    from essaycheck.engine.pipelines import load_checking_nlp
    from essaycheck.io.essays import read_essay
    from essaycheck.rubric import load_rubric

    lap("import the rest (essaycheck, tokenizers, jsonschema, click)")
    rubric = load_rubric(Path(rubric_path))
    essay = read_essay(Path(essay_path))
    lap("read the rubric and the essay")
    checker = load_checker()
    lap("marking pipeline and static table")
    load_checking_nlp()
    lap("load the parser (en_core_web_sm) for the checks")
    checker.check(essay, rubric)
    lap("check the essay (rubric's claims parsed once)")
    phases["total in process"] = time.perf_counter() - STARTED
    return phases


def main() -> None:
    """Run one of the two measurements and print its JSON."""
    what, path, rubric = sys.argv[1:4]
    figures = marking(path, rubric) if what == "marking" else cold(path, rubric)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

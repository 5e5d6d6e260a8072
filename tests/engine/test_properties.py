"""Properties that hold for any essay text at all: no crash, same answer, honest offsets."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from essaycheck.engine.checker import Checker
from essaycheck.io.essays import Essay
from essaycheck.rubric import Rubric

# Essays built from arbitrary Unicode, and from sentence-like pieces with odd spacing.
ANY_TEXT = st.text(min_size=1, max_size=400)
SENTENCES = st.lists(
    st.sampled_from(
        [
            "Trotsky wanted permanent revolution.",
            "Stalin did not want to wait for other countries!",
            "He said\n\nthe peasants should farm together",
            "   ",
            "Ünïcödé — “quotes” and emoji 🙂.",
            "\t\r\n",
            "Socialism in one country?",
        ]
    ),
    min_size=1,
    max_size=12,
).map(" ".join)
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@PROPERTY_SETTINGS
@given(text=st.one_of(ANY_TEXT, SENTENCES))
def test_any_text_is_checked_without_crashing(
    checker: Checker, small_rubric: Rubric, text: str
) -> None:
    result = checker.check(Essay("any.txt", text), small_rubric)

    assert [p.point.id for p in result.points] == [p.id for p in small_rubric]
    assert 0.0 <= result.score <= 1.0
    assert all(0.0 <= p.score <= 1.0 for p in result.points)


@PROPERTY_SETTINGS
@given(text=st.one_of(ANY_TEXT, SENTENCES))
def test_evidence_offsets_always_slice_the_essay_to_the_evidence(
    checker: Checker, small_rubric: Rubric, text: str
) -> None:
    result = checker.check(Essay("any.txt", text), small_rubric)

    for point in result.points:
        if point.evidence is not None:
            assert text[point.evidence.start : point.evidence.end] == point.evidence.text


@PROPERTY_SETTINGS
@given(text=SENTENCES)
def test_checking_is_deterministic(checker: Checker, small_rubric: Rubric, text: str) -> None:
    first = checker.check(Essay("any.txt", text), small_rubric)
    second = checker.check(Essay("any.txt", text), small_rubric)

    assert first.to_dict() == second.to_dict()

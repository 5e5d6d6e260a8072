"""What ``evaluate``, ``calibrate`` and ``train`` print: metrics and a calibration's agreement."""

from __future__ import annotations

import json
from typing import Any

from essaycheck.calibration import Agreement, CalibrationReport
from essaycheck.reports._text import one_line

METRIC_LABELS = (
    ("auc", "ROC AUC"),
    ("map_strict", "KPA mAP (strict)"),
    ("map_relaxed", "KPA mAP (relaxed)"),
    ("precision", "precision of covered"),
    ("recall", "recall of covered"),
    ("f1", "F1 of covered"),
    ("top1_accuracy", "top-1 accuracy"),
    ("summary_correlation", "summary-level Pearson"),
)


def render_metrics(metrics: dict[str, Any]) -> str:
    """Return evaluation metrics as an aligned table for a terminal."""
    lines = [
        f"data: {metrics.get('data', '?')}",
        f"texts: {metrics['texts']}, labelled pairs: {metrics['labelled_pairs']}",
    ]
    for key, label in METRIC_LABELS:
        if metrics.get(key) is not None:
            lines.append(f"  {label:<24} {metrics[key]:.3f}")
    if "summary_documents" in metrics:
        lines.append(f"  (summary correlation over {metrics['summary_documents']} documents)")
    return "\n".join(lines) + "\n"


def render_calibration(report: CalibrationReport, fmt: str = "text") -> str:
    """Return a calibration's agreement with the teacher and its disagreements."""
    calibration = report.calibration
    if fmt == "json":
        data = {
            "calibration": calibration.to_dict(),
            "per_point": {key: value.to_dict() for key, value in report.per_point.items()},
            "disagreements": [
                {
                    "essay": d.essay,
                    "point_id": d.point_id,
                    "teacher": "covered" if d.teacher else "missing",
                    "score": round(d.score, 3),
                    "evidence": d.evidence,
                }
                for d in report.disagreements
            ],
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    width = max([len("calibrated rule"), *(len(key) for key in report.per_point)])
    header = f"  {'':<{width}}  marks  precision  recall  kappa"
    lines = [
        f"Calibrated on {calibration.essays} essays ({calibration.marks} marks).",
        "Agreement with the teacher, estimated leaving one essay out:",
        header,
        _agreement_line("shipped rule", calibration.uncalibrated, width),
        _agreement_line("calibrated rule", calibration.held_out, width),
        "",
        "Per key point (calibrated, leaving one essay out):",
        header,
        *(_agreement_line(key, value, width) for key, value in report.per_point.items()),
        "",
        f"Disagreements ({len(report.disagreements)}):",
    ]
    for item in report.disagreements:
        teacher = "covered" if item.teacher else "missing"
        engine = "missing" if item.teacher else "covered"
        lines.append(
            f"  {item.essay}  {item.point_id}: teacher {teacher}, "
            f"essaycheck {engine} ({item.score:.2f})"
        )
        if item.evidence:
            lines.append(f"      “{one_line(item.evidence)}”")
    return "\n".join(lines) + "\n"


def _agreement_line(label: str, agreement: Agreement, width: int) -> str:
    def number(value: float | None) -> str:
        return "   —" if value is None else f"{value:.2f}"

    return (
        f"  {label:<{width}}  {agreement.marks:>5}  {number(agreement.precision):>9}  "
        f"{number(agreement.recall):>6}  {number(agreement.kappa):>5}"
    )

"""Training and evaluation: fit the shipped decision rule on labelled data, and measure it.

Labelled data is JSON Lines of texts, key points and human labels (ArgKP-2021,
REALSumm); ``dataset`` reads it, ``fit`` fits the decision rule and writes it
with its meta.json, ``evaluation`` computes the shared task's metrics.
"""

from essaycheck.training.dataset import LabelledText, load_labelled
from essaycheck.training.evaluation import compute_metrics, score_texts
from essaycheck.training.fit import train_decision_rule

__all__ = [
    "LabelledText",
    "compute_metrics",
    "load_labelled",
    "score_texts",
    "train_decision_rule",
]

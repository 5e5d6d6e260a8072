"""Vectors as the engine computes with them: embedding matrices and feature tensors."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
"""One embedding per row (float32)."""
Tensor = npt.NDArray[np.float64]
"""Features or scores (float64), e.g. windows x points x features."""


def normalise_rows(vectors: Matrix) -> Matrix:
    """Scale each row to unit length, leaving all-zero rows at zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: Matrix = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    return unit

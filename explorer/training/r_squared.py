"""R², the coefficient of determination, of a regression from its mean squared error.

The validation loss of a regression is the mean squared error over every target number; R² is
``1 - MSE / MSE of always answering each target's mean``. So the window shows R² without another
pass: the baseline is computed once from the validation targets, and every validation loss gives
its R² exactly (for one target it is scikit-learn's ``r2_score``; for several, its
``multioutput="variance_weighted"``). 1 is a perfect fit, 0 is no better than the mean, and it is
negative when worse.
"""

from __future__ import annotations

import math

import numpy as np


def mean_baseline(y: np.ndarray) -> float | None:
    """The mean squared error of answering each target's mean over ``y`` [N, k]; None when the targets
    do not vary (R² is then undefined)."""
    y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    if len(y) < 2:
        return None
    baseline = float(((y - y.mean(axis=0)) ** 2).mean())
    return baseline if baseline > 0 and math.isfinite(baseline) else None


def r_squared(mse: float, baseline: float) -> float:
    """R² of a mean squared error ``mse`` against ``baseline`` (:func:`mean_baseline`)."""
    return 1.0 - mse / baseline

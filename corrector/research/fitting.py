"""The small numeric fits the research tools share: Newton's method, L2 logistic regression, AUC."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def newton(
    objective: Callable[[np.ndarray], float],
    gradient_hessian: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    w: np.ndarray,
    steps: int,
) -> np.ndarray:
    """Minimise a convex ``objective`` by Newton's method with step halving."""
    loss = objective(w)
    for _ in range(steps):
        grad, hess = gradient_hessian(w)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-4 and objective(w - t * step) > loss + 1e-12:
            t /= 2
        w = w - t * step
        new_loss = objective(w)
        if loss - new_loss < 1e-10:
            break
        loss = new_loss
    return w


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-4, steps: int = 100) -> np.ndarray:
    """L2-regularised logistic regression (Newton with step halving); ``x`` has its own
    intercept column first, which is not penalised."""
    pen = np.full(x.shape[1], l2)
    pen[0] = 0.0

    def objective(w: np.ndarray) -> float:
        z = x @ w
        return float(np.mean(np.logaddexp(0, z) - y * z) + 0.5 * (pen * w) @ w)

    def gradient_hessian(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / len(y) + pen * w
        return grad, (x.T * (p * (1 - p))) @ x / len(y) + np.diag(pen) + 1e-9 * np.eye(len(w))

    return newton(objective, gradient_hessian, np.zeros(x.shape[1]), steps)


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pos, neg = scores[labels == 1], scores[labels == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.sort(neg)
    below = np.searchsorted(order, pos, side="left")
    ties = np.searchsorted(order, pos, side="right") - below
    return float((below + 0.5 * ties).sum() / (len(pos) * len(neg)))

"""Figures shared by the notebooks. Every function titles and labels its axes and returns the
figure, so a notebook cell shows it and a test can inspect it."""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


def plot_history(histories: dict, title: str = "Training vs validation loss", ylabel: str = "binary cross-entropy", mark_best: bool = True):
    """``histories`` maps a label to a Keras ``History.history`` dict (needs loss, val_loss)."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(histories), figsize=(6 * len(histories), 4), squeeze=False, sharey=True)
    for ax, (label, h) in zip(axes[0], histories.items()):
        epochs = np.arange(len(h["loss"]))
        ax.plot(epochs, h["loss"], label="training loss")
        ax.plot(epochs, h["val_loss"], label="validation loss")
        if mark_best:
            best = int(np.argmin(h["val_loss"]))
            ax.axvline(best, color="grey", ls="--", lw=1)
            ax.annotate(f"lowest val loss\n(epoch {best})", (best, h["val_loss"][best]), textcoords="offset points", xytext=(8, 18), fontsize=8)
        ax.set_title(label)
        ax.set_xlabel("epoch")
        ax.legend()
    axes[0][0].set_ylabel(ylabel)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_coef_paths(lambdas, coefs_l1, coefs_l2, names, title: str = "L1 vs L2 coefficient paths"):
    """Coefficients (rows: features) against the penalty strength, L1 and L2 side by side."""
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2))
    for ax, coefs, name in ((a1, coefs_l1, "L1 (Lasso): exact zeros"), (a2, coefs_l2, "L2 (Ridge): shrinks, never zero")):
        for row, label in zip(np.asarray(coefs), names):
            ax.plot(lambdas, row, label=label)
        ax.set_xscale("log")
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel("penalty strength λ (log scale)")
        ax.set_ylabel("coefficient")
        ax.set_title(name)
    a2.legend(fontsize=7, ncol=2, loc="upper right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig

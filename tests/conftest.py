"""Shared test set-up: Qt runs offscreen, torch is imported before any QApplication."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402  (before Qt: pytorch #11326)

from explorer.qt.preload import import_torch_first  # noqa: E402

import_torch_first()  # as the program does, before any Qt import

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


# What the fuzz and endurance tests tried, printed at the end of the run (issue 15 asks for counts).
_TALLY: dict[str, dict[str, int]] = {}
_FIGURES: dict[str, str] = {}


@pytest.fixture(scope="session")
def tally():
    """``tally(test, outcome)`` counts one attempt; ``tally.figure(name, text)`` records a measurement."""

    def count(test: str, outcome: str) -> None:
        outcomes = _TALLY.setdefault(test, {})
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    count.figure = _FIGURES.__setitem__
    return count


def pytest_terminal_summary(terminalreporter):
    if not (_TALLY or _FIGURES):
        return
    terminalreporter.section("robustness counts")
    for test, outcomes in sorted(_TALLY.items()):
        total = sum(outcomes.values())
        detail = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items(), key=lambda kv: -kv[1]))
        terminalreporter.write_line(f"{test}: {total} tried: {detail}")
    for name, text in sorted(_FIGURES.items()):
        terminalreporter.write_line(f"{name}: {text}")

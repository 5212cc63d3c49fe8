"""SteadyLabel: a figure that changes while training does not lay the window out again, and still fits."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from explorer.qt.steady_label import SteadyLabel


class LayoutRequests(QObject):
    """Counts the LayoutRequest events a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def _window(qtbot, label: QLabel) -> QMainWindow:
    window = QMainWindow()
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.addWidget(QLabel("Progress"))
    layout.addWidget(label)
    window.setCentralWidget(body)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _count_while_changing(qtbot, window, label) -> int:
    requests = LayoutRequests(window)
    qtbot.wait(20)
    requests.count = 0
    for step in (7, 70, 700, 7000, 70000):
        label.setText(f"Step {step}")
        qtbot.wait(5)
    return requests.count


def test_changing_text_lays_out_nothing_where_a_plain_label_does(qtbot):
    steady = SteadyLabel("Step 0", "Step 00000000")
    plain = QLabel("Step 0")
    windows = [_window(qtbot, steady), _window(qtbot, plain)]  # kept: the labels live in them
    assert _count_while_changing(qtbot, windows[0], steady) == 0
    assert _count_while_changing(qtbot, windows[1], plain) > 0
    assert steady.text() == "Step 70000"


def test_it_fits_its_widest_text_a_wider_one_and_a_larger_font(qtbot):
    label = SteadyLabel("Step 0", "Step 000")
    window = _window(qtbot, label)
    metrics = label.fontMetrics()
    assert label.width() >= metrics.horizontalAdvance("Step 000")
    label.setText("Step 123456789")  # wider than foreseen: it widens rather than cut the figure
    assert label.width() >= metrics.horizontalAdvance("Step 123456789")
    width, height = label.width(), label.height()
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.6)  # lecture mode
    label.setFont(font)
    assert label.width() > width and label.height() > height
    assert label.width() >= label.fontMetrics().horizontalAdvance("Step 123456789")
    assert label.window() is window

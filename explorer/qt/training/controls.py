"""The panel's left side: the run's buttons, its progress, the message bar and the settings form.

:class:`TrainingControls` only lays them out and sets their buttons' look for a state
(:meth:`show_state`); what the buttons do is the panel's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QPushButton, QScrollArea, QStyle, QVBoxLayout, QWidget

from .message_bar import MessageBar
from .progress_view import ProgressView
from .settings_form import SettingsForm


class TrainingControls(QWidget):
    """``trainingControls``: ``trainButton``, ``pauseButton``, ``stepButton``, ``stopButton``,
    ``resetButton``; the progress figures; the message bar; the settings in ``settingsScroll``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingControls")
        style = self.style()
        icon = QStyle.StandardPixmap
        self._play_icon = style.standardIcon(icon.SP_MediaPlay)
        self._pause_icon = style.standardIcon(icon.SP_MediaPause)
        self.train_button = QPushButton(self._play_icon, "Train", objectName="trainButton")
        self.train_button.setToolTip("Train the network on the chosen dataset")
        self.pause_button = QPushButton(self._pause_icon, "Pause", objectName="pauseButton")
        self.pause_button.setToolTip("Hold training after the current step; press again to resume")
        self.step_button = QPushButton(style.standardIcon(icon.SP_MediaSkipForward), "Step", objectName="stepButton")
        self.step_button.setToolTip("Train on one mini-batch, then wait")
        self.stop_button = QPushButton(style.standardIcon(icon.SP_MediaStop), "Stop", objectName="stopButton")
        self.stop_button.setToolTip("End this run; the trained weights are kept for the next one")
        self.reset_button = QPushButton(style.standardIcon(icon.SP_BrowserReload), "Reset weights",
                                        objectName="resetButton")
        self.reset_button.setToolTip("Forget the trained weights: the next run starts from fresh ones")
        font = self.train_button.font()
        font.setBold(True)
        self.train_button.setFont(font)
        buttons = QGridLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.train_button, 0, 0)
        buttons.addWidget(self.pause_button, 0, 1)
        buttons.addWidget(self.step_button, 0, 2)
        buttons.addWidget(self.stop_button, 1, 0)
        buttons.addWidget(self.reset_button, 1, 1, 1, 2)

        self.progress_view = ProgressView()
        self.message = MessageBar()
        self.form = SettingsForm()
        scroll = QScrollArea(objectName="settingsScroll")
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        side = QVBoxLayout(self)
        side.setContentsMargins(0, 0, 4, 0)
        side.addLayout(buttons)
        side.addWidget(self.progress_view)
        side.addWidget(self.message)
        side.addWidget(scroll, 1)
        self.setMinimumWidth(300)
        self.setMaximumWidth(420)

    def show_state(self, *, idle: bool, paused: bool, can_train: bool, can_reset: bool) -> None:
        """Enable the buttons that make sense now; Pause reads Resume while paused."""
        self.train_button.setEnabled(idle and can_train)
        self.pause_button.setEnabled(not idle)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setIcon(self._play_icon if paused else self._pause_icon)
        self.step_button.setEnabled((idle and can_train) or paused)
        self.stop_button.setEnabled(not idle)
        self.reset_button.setEnabled(idle and can_reset)

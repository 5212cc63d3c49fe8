"""Colours and fonts: a light and a dark theme, layer-group colours, and applying them to the app.

The theme follows the system (``QStyleHints.colorScheme``) unless the user picks one; the
environment variable ``NN_EXPLORER_THEME`` (``light`` or ``dark``) forces one, e.g. for screenshots.
Canvas items read :func:`current` when they paint, so switching themes only needs a repaint.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ..packaged import resource_text

# One colour per palette group, chosen to stay apart from each other on a projector and from the
# red that marks errors. Used for node headers, palette icons and group titles.
GROUP_COLOURS = {
    "Input & data": "#3b7dd8",
    "Dense": "#7b52d6",
    "Convolution": "#e07b1a",
    "Pooling": "#c9a000",
    "Normalisation": "#12a39a",
    "Regularisation": "#7d8796",
    "Activations": "#2e9e4f",
    "Merge": "#c2458e",
    "Sequence": "#8c6d3f",
    "Attention": "#0f94c7",
    "Graph": "#6f9a2b",
}

UI_POINT_SIZE = 11  # window text; large enough for the back of a classroom


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    panel: str          # docks, inputs
    text: str
    text_dim: str
    canvas: str
    grid: str
    node: str
    node_border: str
    accent: str
    error: str
    error_fill: str
    wire: str
    label_fill: str
    ok: str

    def colour(self, role: str) -> QColor:
        return QColor(getattr(self, role))


LIGHT = Theme(name="light", window="#eef0f3", panel="#ffffff", text="#1c2230", text_dim="#5a6474",
              canvas="#f6f7f9", grid="#d9dde4", node="#ffffff", node_border="#c4cad4", accent="#1f6fe0",
              error="#d22f2f", error_fill="#fdeaea", wire="#7d8799", label_fill="#ffffff", ok="#2e9e4f")
DARK = Theme(name="dark", window="#1d2026", panel="#262a32", text="#e7eaf0", text_dim="#9aa3b3",
             canvas="#181b20", grid="#2c313a", node="#2a2f38", node_border="#434a57", accent="#5aa9ff",
             error="#ff5f5f", error_fill="#47262a", wire="#8c96a8", label_fill="#2a2f38", ok="#5cc97a")

_current = LIGHT


def current() -> Theme:
    return _current


def group_colour(group: str) -> QColor:
    return QColor(GROUP_COLOURS.get(group, "#7d8796"))


def system_theme() -> Theme:
    """The theme the system asks for (light when it says nothing)."""
    forced = os.environ.get("NN_EXPLORER_THEME", "").lower()
    if forced in ("light", "dark"):
        return DARK if forced == "dark" else LIGHT
    app = QGuiApplication.instance()
    if app is not None and QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark:
        return DARK
    return LIGHT


def theme_named(choice: str) -> Theme:
    """``"light"``, ``"dark"`` or anything else for the system's choice."""
    return {"light": LIGHT, "dark": DARK}.get(choice, None) or system_theme()


def font(point_size: float, bold: bool = False, mono: bool = False) -> QFont:
    f = QFont("DejaVu Sans Mono" if mono else QApplication.font().family())
    if mono:
        f.setStyleHint(QFont.StyleHint.Monospace)
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f


@lru_cache(maxsize=None)
def glyph(symbol: str, name: str) -> str:
    """``symbol`` if the fonts here can draw it, else the first letter of ``name`` (never a box)."""
    metrics = QFontMetricsF(QApplication.font())
    return symbol if symbol and all(metrics.inFontUcs4(ord(c)) for c in symbol) else name[:1].upper()


def make_palette(theme: Theme) -> QPalette:
    p = QPalette()
    c = theme.colour
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, c("window"))
        p.setColor(group, QPalette.ColorRole.WindowText, c("text"))
        p.setColor(group, QPalette.ColorRole.Base, c("panel"))
        p.setColor(group, QPalette.ColorRole.AlternateBase, c("window"))
        p.setColor(group, QPalette.ColorRole.Text, c("text"))
        p.setColor(group, QPalette.ColorRole.Button, c("panel"))
        p.setColor(group, QPalette.ColorRole.ButtonText, c("text"))
        p.setColor(group, QPalette.ColorRole.ToolTipBase, c("panel"))
        p.setColor(group, QPalette.ColorRole.ToolTipText, c("text"))
        p.setColor(group, QPalette.ColorRole.PlaceholderText, c("text_dim"))
        p.setColor(group, QPalette.ColorRole.Highlight, c("accent"))
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        p.setColor(group, QPalette.ColorRole.Link, c("accent"))
        p.setColor(group, QPalette.ColorRole.Mid, c("node_border"))
    dim = c("text_dim")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, dim)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, c("window"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window, c("window"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, c("window"))
    return p


def style_sheet(theme: Theme) -> str:
    """``resources/style.qss`` (packaged) with ``{role}`` placeholders filled from ``theme``."""
    try:
        text = resource_text("style.qss")
    except OSError:
        return ""
    for role, value in vars(theme).items():
        text = text.replace("{" + role + "}", value)
    return text


def apply(app: QApplication, theme: Theme) -> None:
    """Make ``theme`` current and restyle the whole application with it."""
    global _current
    _current = theme
    if app.property("nnExplorerStyled") is not True:  # setStyle re-polishes everything: once per app
        app.setStyle("Fusion")
        app.setProperty("nnExplorerStyled", True)
    f = app.font()
    if f.pointSizeF() < UI_POINT_SIZE:
        f.setPointSizeF(UI_POINT_SIZE)
        app.setFont(f)
    sheet = style_sheet(theme)
    if app.styleSheet() != sheet or app.palette().color(QPalette.ColorRole.Window) != theme.colour("window"):
        app.setPalette(make_palette(theme))  # both re-polish every widget: only when they change
        app.setStyleSheet(sheet)

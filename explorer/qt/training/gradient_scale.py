"""The gradient heatmap's colour scale: which colour is which gradient size, in the heatmap's units.

The heatmap colours log10 of each layer's gradient norm (the L2 norm over all of that layer's
parameter gradients: the loss's change per unit change of the weights, so it has no unit of its
own). The scale beside it follows the heatmap's levels and labels them in decades as the bars' axis
does (1e-6 … 1), so "fc1 is a million times weaker than out" can be read off the picture.
"""

from __future__ import annotations

import pyqtgraph as pg

from .gradient_plot import COLOUR_MAP, GradientView, decade_ticks
from .plotting import PLOT_FONT_PT, background_colours

LABEL = "|∂loss/∂w| per layer (L2 norm, log scale)"


class GradientScale:
    """A horizontal colour bar under ``view``'s heatmap, kept at the heatmap's levels."""

    def __init__(self, view: GradientView) -> None:
        self.view = view
        _background, text = background_colours(view)
        self.bar = pg.ColorBarItem(values=view.heat.levels if view.heat.levels is not None else (-6.0, 0.0),
                                   colorMap=pg.colormap.get(COLOUR_MAP), width=10, label=LABEL, interactive=False,
                                   pen=text, colorMapMenu=False, orientation="horizontal")
        axis = self.bar.axis
        axis.setTextPen(pg.mkPen(text))
        axis.setPen(pg.mkPen(text, width=1))
        axis.setLabel(LABEL, **{"color": text.name(), "font-size": f"{PLOT_FONT_PT - 1}pt"})
        # Under the heatmap, across it: the view is narrow beside the loss plot and the tabs.
        view.graphics.addItem(self.bar, row=1, col=0)
        self.levels: tuple[float, float] | None = None
        view.heat.sigImageChanged.connect(self._on_heat_changed)
        self._show_levels(-6.0, 0.0)

    def _on_heat_changed(self) -> None:
        levels = self.view.heat.levels
        if levels is None:
            return
        lo, hi = float(levels[0]), float(levels[1])
        if (lo, hi) != self.levels:  # the heatmap's levels move rarely (sticky): so does the scale
            self._show_levels(lo, hi)

    def _show_levels(self, lo: float, hi: float) -> None:
        self.levels = (lo, hi)
        self.bar.setLevels(values=(lo, hi))
        self.bar.axis.setTicks([decade_ticks(lo, hi)])

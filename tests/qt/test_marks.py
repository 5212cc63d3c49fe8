"""The cheap plot items: a long curve is drawn at the view's resolution, its spikes kept, its data whole."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from explorer.qt.training.live_widgets import LivePlotWidget
from explorer.qt.training.marks import Line


def shown_line(qtbot, width: int, points: int) -> tuple[Line, np.ndarray, np.ndarray]:
    widget = LivePlotWidget()
    qtbot.addWidget(widget)
    widget.resize(width, 200)
    widget.show()
    qtbot.waitExposed(widget)
    line = Line(QColor("blue"))
    widget.getPlotItem().addItem(line)
    x = np.arange(points, dtype=np.float64)
    y = np.sin(x / 50.0)
    y[points // 3] = 25.0  # one spike, as a diverging step would make
    line.setData(x, y)
    return line, x, y


def test_a_long_curve_is_drawn_with_two_points_per_pixel_column(qtbot):
    line, x, y = shown_line(qtbot, 400, 20_000)
    columns = line.getViewBox().width()
    assert 200 < columns <= 400
    assert len(line._shown_x) <= 2 * columns + 2 * (20_000 // columns)  # the last, partial bucket whole
    assert line._shown_y.max() == 25.0 and line._shown_y.min() == y.min()  # peaks kept
    shown_x, shown_y = line.getData()
    assert np.array_equal(shown_x, x) and np.array_equal(shown_y, y)


def test_a_wider_view_draws_more_points_and_a_short_curve_all_of_them(qtbot):
    narrow, _, _ = shown_line(qtbot, 300, 20_000)
    wide, _, _ = shown_line(qtbot, 900, 20_000)
    assert len(wide._shown_x) > 2 * len(narrow._shown_x) > 0
    short, x, _ = shown_line(qtbot, 300, 200)
    assert np.array_equal(short._shown_x, x)


def _pixels(item) -> np.ndarray:
    import pyqtgraph.functions as fn
    from PySide6.QtGui import QImage

    item.render()
    image = item.qimage.convertToFormat(QImage.Format.Format_ARGB32)  # held while its pixels are copied
    return fn.ndarray_from_qimage(image).copy()


def test_an_image_is_coloured_as_pyqtgraph_colours_it_and_nan_stays_transparent(qtbot):
    import pyqtgraph as pg

    from explorer.qt.training.marks import Image
    from explorer.qt.training.plotting import lookup_table

    values = np.random.default_rng(0).normal(size=(7, 40)).astype(np.float32)
    values[0, 0], values[1, 1], values[2, 5] = 5.0, -5.0, np.nan  # beyond both levels, and missing
    lut = lookup_table("viridis")
    ours, theirs = Image(axisOrder="row-major"), pg.ImageItem(axisOrder="row-major")
    for item in (ours, theirs):
        item.setLookupTable(lut)
        item.setImage(values, levels=(-1.5, 2.0), autoLevels=False)
    a, b = _pixels(ours), _pixels(theirs)
    assert a.shape == b.shape == (7, 40, 4)
    seen = ~np.isnan(values)
    assert np.array_equal(a[seen], b[seen])
    assert a[2, 5, 3] == 0 and b[2, 5, 3] == 0  # alpha: the missing value shows the background

    flat = Image(axisOrder="row-major")  # equal levels: every value takes the table's first colour
    flat.setLookupTable(lut)
    flat.setImage(np.ones((2, 3), dtype=np.float32), levels=(1.0, 1.0), autoLevels=False)
    assert (_pixels(flat)[..., :3] == lut[0][::-1]).all()

"""Pictures of a run as files without Qt: colour maps, the feature-map mosaic, the gradient heatmap,
and writing frames as an animated GIF (Pillow) or an MP4 (when ffmpeg is installed).

The window's views and the headless CLI draw the same pictures from the same numbers; here they are
drawn with numpy alone (an RGB uint8 array per frame), so ``nn-explorer train --record`` needs no Qt.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np

from .errors import ExportError

GAP = 1  # pixels between tiles of a mosaic (drawn in the background colour)

# Anchor colours of matplotlib's perceptually uniform maps (every 32nd of 256 entries, and the last),
# interpolated linearly: close enough to the window's pyqtgraph maps for slides.
_ANCHORS = {
    "viridis": ["#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725"],
    "inferno": ["#000004", "#280b54", "#65156e", "#9f2a63", "#d44842", "#f57d15", "#fac127", "#fcffa4"],
    "gray": ["#000000", "#ffffff"],
}


def colour_map(name: str, n: int = 256) -> np.ndarray:
    """A uint8 [n, 3] lookup table of the colour map ``name`` ("viridis", "inferno" or "gray")."""
    anchors = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in _ANCHORS[name]], dtype=np.float64)
    where = np.linspace(0, len(anchors) - 1, n)
    low = np.floor(where).astype(int).clip(0, len(anchors) - 2)
    frac = (where - low)[:, None]
    return np.round(anchors[low] * (1 - frac) + anchors[low + 1] * frac).astype(np.uint8)


def tile_channels(maps: np.ndarray, columns: int) -> np.ndarray:
    """``maps`` [C, H, W] as one float32 mosaic in [0, 1], ``columns`` tiles wide, gaps NaN.

    Each channel is scaled to its own range, so weak and strong channels both show their pattern.
    """
    c, h, w = maps.shape
    rows = math.ceil(c / columns)
    flat = maps.reshape(c, -1).astype(np.float32, copy=False)
    with np.errstate(invalid="ignore"):
        lo = np.nanmin(np.where(np.isfinite(flat), flat, np.inf), axis=1, keepdims=True)
        hi = np.nanmax(np.where(np.isfinite(flat), flat, -np.inf), axis=1, keepdims=True)
        span = hi - lo
        scaled = np.where(span > 1e-12, (flat - lo) / np.where(span > 1e-12, span, 1.0), 0.5)
    scaled = np.where(np.isfinite(scaled), scaled, 0.5).reshape(c, h, w)
    mosaic = np.full((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP), np.nan, dtype=np.float32)
    for i in range(c):
        r, k = divmod(i, columns)
        mosaic[r * (h + GAP):r * (h + GAP) + h, k * (w + GAP):k * (w + GAP) + w] = scaled[i]
    return mosaic


def best_columns(channels: int, tile_h: int, tile_w: int, aspect: float) -> int:
    """Tiles per row that fill a view of ``aspect`` (width / height) best."""
    best, best_scale = 1, 0.0
    for cols in range(1, channels + 1):
        rows = math.ceil(channels / cols)
        width, height = cols * (tile_w + GAP), rows * (tile_h + GAP)
        scale = min(aspect / width, 1.0 / height)  # how large a tile can be drawn
        if scale > best_scale * 1.0001:
            best, best_scale = cols, scale
    return best


def colourise(values: np.ndarray, levels: tuple[float, float], lut: np.ndarray,
              background: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """``values`` [H, W] as RGB uint8 through ``lut`` between ``levels``; NaN in ``background``."""
    lo, hi = levels
    finite = np.isfinite(values)
    scaled = np.where(finite, (values - lo) / (hi - lo if hi > lo else 1.0), 0.0).clip(0.0, 1.0)
    rgb = lut[np.round(scaled * (len(lut) - 1)).astype(np.intp)]
    rgb[~finite] = background
    return rgb


def enlarge(rgb: np.ndarray, scale: int) -> np.ndarray:
    """Each pixel as a ``scale`` x ``scale`` block (crisp pixels, as the views draw them)."""
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1) if scale > 1 else rgb


def fit_scale(shape: tuple[int, int], size: int) -> int:
    """The whole-number enlargement that makes ``shape`` at most ``size`` pixels on its longer side."""
    return max(1, size // max(1, max(shape)))


def feature_map_frame(maps: np.ndarray, size: int = 480, columns: int | None = None) -> np.ndarray:
    """One frame of a node's maps [C, H, W]: the mosaic in the inferno map, about ``size`` pixels wide."""
    c, h, w = maps.shape
    columns = columns or best_columns(c, h, w, 1.6)
    mosaic = tile_channels(maps, columns)
    return enlarge(colourise(mosaic, (0.0, 1.0), colour_map("inferno")), fit_scale(mosaic.shape, size))


def gradient_frame(logs: np.ndarray, levels: tuple[float, float], steps_shown: int, cell: tuple[int, int] = (4, 18)
                   ) -> np.ndarray:
    """The gradient heatmap (layers x steps, log10 |gradient|) with the first ``steps_shown`` columns
    filled: the vanishing-gradients picture as it builds up over a run. ``cell`` is (width, height)."""
    layers, columns = logs.shape
    shown = np.full_like(logs, np.nan)
    shown[:, :steps_shown] = logs[:, :steps_shown]
    rgb = colourise(shown, levels, colour_map("viridis"))
    return np.repeat(np.repeat(rgb, cell[1], axis=0), cell[0], axis=1)


def heatmap_animation(heat: np.ndarray, marks: list[tuple[int, int]], size: int = 480
                      ) -> list[tuple[int, np.ndarray]]:
    """Frames of a gradient heatmap ``heat`` [layers, columns] of log10 norms filling up: ``marks`` are
    (step, columns shown at that step). Levels span the whole run's values, in half decades, so a
    frame's colours mean the same in every frame."""
    finite = heat[np.isfinite(heat)]
    lo, hi = (math.floor(float(finite.min()) * 2) / 2, math.ceil(float(finite.max()) * 2) / 2) \
        if finite.size else (-6.0, 0.0)
    if hi - lo < 1.0:
        hi = lo + 1.0
    layers, columns = heat.shape
    cell = (max(1, size // max(1, columns)), max(8, min(40, (size // 2) // max(1, layers))))
    return [(step, gradient_frame(heat, (lo, hi), shown, cell)) for step, shown in marks]


def heat_columns(logs: np.ndarray, columns: int) -> np.ndarray:
    """``logs`` [layers, steps] averaged into at most ``columns`` columns (NaN ignored)."""
    layers, steps = logs.shape
    if steps <= columns:
        return logs
    edges = np.linspace(0, steps, columns + 1).astype(int)
    out = np.full((layers, columns), np.nan, dtype=np.float32)
    with np.errstate(invalid="ignore"):
        for k in range(columns):
            block = logs[:, edges[k]:edges[k + 1]]
            ok = np.isfinite(block)
            count = ok.sum(axis=1)
            out[:, k] = np.where(count > 0, np.where(ok, block, 0).sum(axis=1) / np.maximum(count, 1), np.nan)
    return out


def check_writable(path: str | os.PathLike) -> Path:
    """``path`` if a file can be written there; an :class:`ExportError` naming the folder otherwise."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {path}: the folder {folder} is not writable")
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a folder")
    return path


def write_animation(frames: list[tuple[int, np.ndarray]], path: str | os.PathLike, fps: float = 10.0) -> str:
    """Write ``frames`` [(step, RGB uint8 [H, W, 3])] to ``path``: ``.gif`` (Pillow) or ``.mp4`` (ffmpeg).

    Each frame gets its step in the top-left corner. Returns what was written, for the caller to show.
    Raises :class:`ExportError` for no frames, an unknown suffix, a folder that cannot be written, or a
    missing encoder.
    """
    path = check_writable(path)
    if not frames:
        raise ExportError(f"cannot write {path}: the run recorded no frames")
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4"):
        raise ExportError(f"cannot write {path}: an animation is a .gif or an .mp4")
    labelled = [with_step_label(rgb, step) for step, rgb in frames]
    if suffix == ".gif":
        _write_gif(labelled, path, fps)
    else:
        _write_mp4(labelled, path, fps)
    h, w = labelled[0].shape[:2]
    return f"{_frames_in(path, len(labelled))} frames of {w}×{h} written to {path}"


def with_step_label(rgb: np.ndarray, step: int) -> np.ndarray:
    """``rgb`` with "step N" in its top-left corner, white on a dark box (Pillow's built-in font)."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        return rgb
    image = Image.fromarray(np.ascontiguousarray(rgb))
    draw = ImageDraw.Draw(image)
    text = f"step {step}"
    size = max(12, min(image.height, image.width) // 12)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one small bitmap font
        font = ImageFont.load_default()
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = max(2, size // 5)
    draw.rectangle((0, 0, right - left + 2 * pad, bottom - top + 2 * pad), fill=(20, 20, 20))
    draw.text((pad - left, pad - top), text, fill=(255, 255, 255), font=font)
    return np.asarray(image)


def _write_gif(frames: list[np.ndarray], path: Path, fps: float) -> None:
    try:
        from PIL import Image
    except ImportError as error:
        raise ExportError("writing a GIF needs Pillow: pip install Pillow") from error
    images = [Image.fromarray(np.ascontiguousarray(f)) for f in frames]
    temporary = path.with_name(f".{path.name}.part")
    try:
        images[0].save(temporary, format="GIF", save_all=True, append_images=images[1:],
                       duration=max(20, int(round(1000 / fps))), loop=0, optimize=False, disposal=1)
        os.replace(temporary, path)  # never a half-written GIF under the name asked for
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error


def _frames_in(path: Path, written: int) -> int:
    """Frames the file holds: a GIF merges identical neighbours (a paused run's), so count them."""
    if path.suffix.lower() != ".gif":
        return written
    from PIL import Image

    with Image.open(path) as image:
        return image.n_frames


def mp4_encoder() -> str | None:
    """The ffmpeg program that writes MP4s, or None when none is installed."""
    return shutil.which("ffmpeg")


def _write_mp4(frames: list[np.ndarray], path: Path, fps: float) -> None:
    encoder = mp4_encoder()
    if encoder is None:
        raise ExportError(f"cannot write {path}: an MP4 needs ffmpeg, which is not installed; write a .gif instead")
    h, w = frames[0].shape[:2]
    h2, w2 = h - h % 2, w - w % 2  # H.264 wants even sizes
    command = [encoder, "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w2}x{h2}",
               "-r", f"{fps:g}", "-i", "-", "-pix_fmt", "yuv420p", "-vcodec", "libx264", str(path)]
    data = b"".join(np.ascontiguousarray(f[:h2, :w2]).tobytes() for f in frames)
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ExportError(f"cannot write {path}: ffmpeg failed: {error}") from error
    if done.returncode != 0:
        raise ExportError(f"cannot write {path}: ffmpeg failed: {done.stderr.decode(errors='replace').strip()[:200]}")

"""Reading back the animated GIFs the exports write (the CLI's and the window's)."""

from __future__ import annotations

from PIL import Image


def gif_frames(path) -> tuple[int, set[tuple[int, int]]]:
    """(number of frames, the set of frame sizes) of the GIF at ``path``."""
    with Image.open(path) as image:
        sizes = set()
        for index in range(image.n_frames):
            image.seek(index)
            sizes.add(image.size)
        return image.n_frames, sizes

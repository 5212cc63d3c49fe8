"""A run's pictures over time, kept within a memory cap: what the window's time slider scrubs through.

Each :class:`Frame` holds the newest picture of every kind at one moment (feature maps, decision
boundary, activation statistics) and that moment's gradient norms. Frames share the picture objects
they have in common, so a picture that did not change costs nothing twice. When the frames would
take more than ``cap_bytes``, every other one is dropped and from then on only every
``stride``-th moment is kept (the stride doubles): the history always covers the whole run, at an
even spacing that coarsens as the run grows, and never holds more than the cap. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DEFAULT_CAP_BYTES = 64 * 2 ** 20   # 64 MiB: a 10-minute run of LeNet's pictures, thinned, on any laptop
PICTURES = ("feature_maps", "boundary", "activation")
ENTRY_BYTES = 96                   # what one number in a dict costs Python, roughly (key, float, slot)


def megabytes(count: int) -> str:
    """``count`` bytes as a student reads it: "64 MB", "1.5 MB", "0.02 MB"."""
    return f"{count / 2 ** 20:.3g} MB"


def picture_bytes(picture) -> int:
    """Memory a snapshot holds: its arrays' bytes, and an allowance for each number in its dicts."""
    total = 0
    for value in vars(picture).values():
        if isinstance(value, np.ndarray):
            total += value.nbytes
        elif isinstance(value, dict):
            for inner in value.values():
                if isinstance(inner, np.ndarray):
                    total += inner.nbytes + ENTRY_BYTES
                elif isinstance(inner, dict):
                    total += ENTRY_BYTES * (1 + len(inner))
                else:
                    total += ENTRY_BYTES
    return total + 64


@dataclass
class Frame:
    """The pictures at one moment of a run: ``step`` on the panel's x axis (earlier runs continued included)."""

    step: int
    pictures: dict = field(default_factory=dict)   # "feature_maps" | "boundary" | "activation" -> snapshot
    gradients: dict[str, float] | None = None      # node id -> |gradient| at that step


class RunHistory:
    """Frames of a run, thinned to stay under ``cap_bytes``; see the module's docstring."""

    def __init__(self, cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        self.cap_bytes = int(cap_bytes)
        self.frames: list[Frame] = []
        self.stride = 1            # keep every stride-th moment offered
        self.nbytes = 0            # bytes the kept frames hold now
        self.peak_bytes = 0        # the most they held between two offers (a new frame is thinned away at once)
        self.thinned = 0           # times the history was halved
        self._latest: dict = {}    # the newest picture of each kind, whether kept or not
        self._offered = 0
        self._sizes: dict[int, int] = {}   # id(picture) -> its bytes

    def clear(self) -> None:
        """A new run (or fresh weights): nothing kept."""
        self.frames, self._latest, self._sizes = [], {}, {}
        self.stride, self.nbytes, self.peak_bytes, self.thinned, self._offered = 1, 0, 0, 0, 0

    def offer(self, step: int, pictures: dict, gradients: dict[str, float] | None) -> str | None:
        """A moment of the run: the pictures that arrived with it and its gradient norms.

        Kept when it is the stride's turn. Returns a message when the history had to thin itself
        (it was full) or cannot keep a picture at all; None otherwise. Training is never stopped.
        """
        self._latest.update({name: p for name, p in pictures.items() if name in PICTURES and p is not None})
        if not self._latest and not gradients:
            return None
        self._offered += 1
        if (self._offered - 1) % self.stride:
            return None
        frame = Frame(int(step), dict(self._latest), dict(gradients) if gradients else None)
        self.frames.append(frame)
        self._account(frame)
        message = None
        while self.nbytes > self.cap_bytes and len(self.frames) > 1:
            self._halve()
            message = (f"History full ({megabytes(self.cap_bytes)}): keeping every {self.stride_word()} picture "
                       "of the run from now on; training goes on")
        if self.nbytes > self.cap_bytes:  # one frame alone is larger than the cap
            self.frames.clear()
            self._recount()
            message = (f"These pictures ({megabytes(self._frame_bytes(frame))}) are larger than the history's "
                       f"cap ({megabytes(self.cap_bytes)}): no history for them; training goes on")
        self.peak_bytes = max(self.peak_bytes, self.nbytes)
        return message

    def stride_word(self) -> str:
        return {1: "", 2: "2nd", 3: "3rd"}.get(self.stride, f"{self.stride}th")

    def index_of_step(self, step: int) -> int | None:
        """The frame at ``step`` or the last one before it."""
        best = None
        for i, frame in enumerate(self.frames):
            if frame.step <= step:
                best = i
        return best

    # Accounting ----------------------------------------------------------------------------------

    def _frame_bytes(self, frame: Frame) -> int:
        return sum(picture_bytes(p) for p in frame.pictures.values()) + ENTRY_BYTES * len(frame.gradients or {})

    def _account(self, frame: Frame) -> None:
        for picture in frame.pictures.values():
            key = id(picture)
            if key not in self._sizes:
                self._sizes[key] = picture_bytes(picture)
                self.nbytes += self._sizes[key]
        self.nbytes += ENTRY_BYTES * (len(frame.gradients or {}) + 2)

    def _halve(self) -> None:
        """Every other frame goes (the first and the newest stay), and only every other moment is kept from now on."""
        newest = self.frames[-1]
        kept = self.frames[::2]  # the run's first moment stays: the slider's left end is its start
        if kept[-1] is not newest:
            kept.append(newest)
        self.frames = kept
        self.stride *= 2
        self.thinned += 1
        self._recount()

    def _recount(self) -> None:
        sizes, total = {}, 0
        for frame in self.frames:
            for picture in frame.pictures.values():
                key = id(picture)
                if key not in sizes:
                    sizes[key] = self._sizes.get(key) or picture_bytes(picture)
                    total += sizes[key]
            total += ENTRY_BYTES * (len(frame.gradients or {}) + 2)
        self._sizes, self.nbytes = sizes, total

"""Start-up's objects frozen out of the garbage collector's full passes, without freezing garbage."""

from __future__ import annotations

import gc
import weakref

from explorer.qt.collector import freeze_startup_objects, thaw_startup_objects


class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_garbage_is_collected_before_the_freeze_and_the_living_are_frozen():
    garbage, alive = Node(), Node()
    gone = weakref.ref(garbage)
    del garbage
    try:
        freeze_startup_objects()
        assert gone() is None  # collected, not kept forever in the frozen generation
        assert gc.get_freeze_count() > 0 and not any(o is alive for o in gc.get_objects())
    finally:
        thaw_startup_objects()
    assert gc.get_freeze_count() == 0 and any(o is alive for o in gc.get_objects())

"""Admission control in one server process: at most `size` holders of a key at once, the
rest waiting in line, first come first served.

A crowd buying one SKU (a flash sale, a live-room favourite) is served faster when only a
few of its purchases work at once — each takes the SKU's row lock at the end of its
transaction, and every purchase beyond those few only adds waiting backends on the
database and runnable threads fighting over the interpreter — while the rest wait here,
where waiting costs nothing. The line is fair: a slot freed is handed to the longest
waiter, so a buyer who just finished cannot overtake one who has been waiting (a plain
semaphore lets the releasing thread win again and again, and some waiters starve).

Keys with no holder take no memory: an entry lives while someone holds or waits for it."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from contextlib import contextmanager


class _Entry:
    __slots__ = ("holders", "waiting")

    def __init__(self):
        self.holders = 0
        self.waiting: deque[threading.Lock] = deque()


class KeyedGate:
    """`with gate.held(keys):` — enter once a slot of every key is yours; keys are taken
    in sorted order, so two holders of overlapping keys never wait on each other crosswise.

    `size` is read at most every `refresh` seconds (a setting a reviewer may change)."""

    def __init__(self, size: Callable[[], int], *, refresh: float = 10.0):
        self._size_of = size
        self._refresh = refresh
        self._size = 0
        self._size_read_at = float("-inf")
        self._entries: dict = {}
        self._lock = threading.Lock()

    def size(self) -> int:
        now = time.monotonic()
        if now - self._size_read_at >= self._refresh:
            self._size = max(1, int(self._size_of()))
            self._size_read_at = now
        return self._size

    def forget_size(self) -> None:
        self._size_read_at = float("-inf")

    def holders(self, key) -> int:
        entry = self._entries.get(key)
        return entry.holders if entry else 0

    def acquire(self, key) -> None:
        size = self.size()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry()
            if entry.holders < size and not entry.waiting:
                entry.holders += 1
                return
            turn = threading.Lock()
            turn.acquire()
            entry.waiting.append(turn)
        turn.acquire()  # released by the holder who hands its slot over

    def release(self, key) -> None:
        size = self.size()
        with self._lock:
            entry = self._entries[key]
            entry.holders -= 1
            # the freed slot (and any a larger size opened) goes to the longest waiters
            while entry.waiting and entry.holders < size:
                entry.holders += 1
                entry.waiting.popleft().release()
            if not entry.holders and not entry.waiting:
                del self._entries[key]

    @contextmanager
    def held(self, keys: Iterable):
        taken = []
        try:
            for key in sorted(set(keys)):
                self.acquire(key)
                taken.append(key)
            yield
        finally:
            for key in reversed(taken):
                self.release(key)

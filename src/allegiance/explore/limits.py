"""What one request to the explorer may ask for, and one run at a time per session."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from ..errors import UserError


@dataclass(frozen=True)
class Limits:
    """Caps on a request: simulated people, replicates, and runs at once on the server."""

    max_size: int = 1_000_000
    max_replicates: int = 10
    max_concurrent: int = 1  # sessions whose runs go at the same time; the rest wait their turn

    @classmethod
    def from_env(cls) -> Limits:
        """Read ALLEGIANCE_EXPLORE_MAX_SIZE / _MAX_REPLICATES / _MAX_CONCURRENT (set by the CLI)."""
        d = cls()

        def num(name: str, default: int) -> int:
            raw = os.environ.get(f"ALLEGIANCE_EXPLORE_{name}")
            return int(raw) if raw else default

        return cls(
            num("MAX_SIZE", d.max_size),
            num("MAX_REPLICATES", d.max_replicates),
            num("MAX_CONCURRENT", d.max_concurrent),
        )

    def check(self, size: int, replicates: int) -> None:
        """Raise a one-line UserError if the request asks for more than the caps."""
        if not 1_000 <= size <= self.max_size:
            raise UserError(
                f"population.size: must be 1,000 to {self.max_size:,} simulated people here "
                f"(got {size:,})"
            )
        if not 1 <= replicates <= self.max_replicates:
            raise UserError(f"replicates: must be 1 to {self.max_replicates} (got {replicates})")


class Gate:
    """One run at a time per session; at most ``max_concurrent`` sessions running at once."""

    def __init__(self, max_concurrent: int) -> None:
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def enter(self, session: str) -> None:
        """Claim this session's one run; refuse (UserError) if it already has one going."""
        with self._lock:
            if session in self._busy:
                raise UserError("a run of this page is still going: wait for it or cancel it")
            self._busy.add(session)

    def wait_slot(self, cancelled: threading.Event, waiting: object = None) -> None:
        """Queue behind other sessions' runs until a slot is free (or the run is cancelled)."""
        while not self._slots.acquire(timeout=0.2):
            if callable(waiting):
                waiting()
            if cancelled.is_set():
                raise Cancelled()

    def leave(self, session: str, had_slot: bool) -> None:
        """Release the session (and the slot, when it had one)."""
        if had_slot:
            self._slots.release()
        with self._lock:
            self._busy.discard(session)

    def busy(self, session: str) -> bool:
        """True while ``session`` has a run going."""
        with self._lock:
            return session in self._busy


class Cancelled(Exception):
    """The user pressed Cancel: the run stops after the current month."""

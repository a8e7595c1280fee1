"""The login for an exposed server (a non-loopback host): one account, checked in constant time,
with a lockout that stops password guessing.

After FREE_TRIES wrong attempts every attempt is refused unchecked until the lockout ends; each
further failure doubles it, up to MAX_LOCKOUT. A right password resets the count. Gradio calls
this from its async login route, so it never sleeps: it only says no.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable

FREE_TRIES = 5
FIRST_LOCKOUT = 2.0
MAX_LOCKOUT = 300.0


class LoginThrottle:
    """A Gradio `auth` callable: (username, password) -> bool."""

    def __init__(self, username: str, password: str, *, free_tries: int = FREE_TRIES,
                 first_lockout: float = FIRST_LOCKOUT, max_lockout: float = MAX_LOCKOUT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._user = username.encode("utf-8")
        self._password = password.encode("utf-8")
        self.free_tries = free_tries
        self.first_lockout = first_lockout
        self.max_lockout = max_lockout
        self._clock = clock
        self._lock = threading.Lock()
        self.failures = 0
        self.checked = 0  # attempts whose password was actually compared
        self.locked_until = 0.0

    def __call__(self, username: str, password: str) -> bool:
        with self._lock:
            now = self._clock()
            if now < self.locked_until:
                return False
            self.checked += 1
            user_ok = hmac.compare_digest(str(username).encode("utf-8", "replace"), self._user)
            password_ok = hmac.compare_digest(str(password).encode("utf-8", "replace"), self._password)
            if user_ok and password_ok:
                self.failures = 0
                return True
            self.failures += 1
            if self.failures >= self.free_tries:
                doublings = self.failures - self.free_tries
                self.locked_until = now + min(self.max_lockout, self.first_lockout * 2 ** min(doublings, 20))
            return False

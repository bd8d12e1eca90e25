"""Password hashing with Argon2id: the adapter behind ``services.ports.PasswordHasher``."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY


class Argon2PasswordHasher:
    """Argon2id with the library's recommended cost unless told otherwise.

    Tests pass a lower ``time_cost``/``memory_cost`` to stay fast; the stored hash names its
    own parameters, so hashes made with either cost verify with both.
    """

    def __init__(self, *, time_cost: int | None = None, memory_cost: int | None = None) -> None:
        defaults = RFC_9106_LOW_MEMORY
        self._hasher = _Argon2(
            time_cost=time_cost or defaults.time_cost,
            memory_cost=memory_cost or defaults.memory_cost,
        )

    def hash(self, password: str) -> str:
        return str(self._hasher.hash(password))

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

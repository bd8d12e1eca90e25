"""Encryption at rest of sensitive fields (access codes, safe-place notes, phone numbers).

The store never reads a key from a global: whoever builds the store passes a
:class:`FieldCipher` (derived from the settings' secret key in ``bootstrap``). Values are
encrypted in the repositories' row translation, so ciphertext is all the tables hold.
"""

from __future__ import annotations

from typing import Protocol


class FieldCipher(Protocol):
    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, ciphertext: str) -> str: ...


class PlaintextCipher:
    """Stores values as they are. For tests and for deployments without a cipher yet."""

    def encrypt(self, plaintext: str) -> str:
        return plaintext

    def decrypt(self, ciphertext: str) -> str:
        return ciphertext


def seal(cipher: FieldCipher, value: str | None) -> str | None:
    return None if value is None else cipher.encrypt(value)


def unseal(cipher: FieldCipher, value: str | None) -> str | None:
    return None if value is None else cipher.decrypt(value)

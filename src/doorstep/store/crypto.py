"""Encryption at rest of sensitive fields (access codes, safe-place notes, phone numbers).

The store never reads a key from a global: whoever builds the store passes a
:class:`FieldCipher` (derived from the settings' secret key in ``bootstrap``). Values are
encrypted in the repositories' row translation, so ciphertext is all the tables hold.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken


class FieldCipher(Protocol):
    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, ciphertext: str) -> str: ...


class PlaintextCipher:
    """Stores values as they are. For tests and for deployments without a cipher yet."""

    def encrypt(self, plaintext: str) -> str:
        return plaintext

    def decrypt(self, ciphertext: str) -> str:
        return ciphertext


class FernetCipher:
    """Authenticated encryption (AES-128-CBC + HMAC-SHA256) with a key derived from a secret.

    Fernet is the `cryptography` project's recipe for exactly this job: it authenticates
    what it decrypts, so a tampered value fails loudly instead of reading as garbage.
    """

    _PREFIX = "enc1:"

    def __init__(self, secret: str) -> None:
        # A labelled SHA-256 of the secret: the same secret signs tokens, so the field key
        # must be a different value derived from it, never the secret itself.
        digest = hashlib.sha256(b"doorstep field encryption v1\x00" + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, plaintext: str) -> str:
        return self._PREFIX + self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        if not ciphertext.startswith(self._PREFIX):
            raise ValueError("stored value is not encrypted: was it written without a cipher?")
        try:
            return self._fernet.decrypt(ciphertext[len(self._PREFIX) :].encode("ascii")).decode()
        except InvalidToken as error:
            raise ValueError("stored value cannot be decrypted with this secret key") from error


def seal(cipher: FieldCipher, value: str | None) -> str | None:
    return None if value is None else cipher.encrypt(value)


def unseal(cipher: FieldCipher, value: str | None) -> str | None:
    return None if value is None else cipher.decrypt(value)

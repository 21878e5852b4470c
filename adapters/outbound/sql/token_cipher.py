"""AES-256-GCM for tokens at rest: a key id on every ciphertext, and associated data binding it to
its workspace, row and column, so a ciphertext copied anywhere else fails to decrypt."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class KeyringError(ValueError):
    """PRODUL_SECRET_KEYS is malformed; the message says how, never what the keys are."""


class UndecryptableToken(Exception):
    """A stored token failed authentication: wrong row, wrong column, tampered, or unknown key."""


@dataclass(frozen=True, slots=True)
class Keyring:
    """Newest key first: it encrypts; every key may decrypt."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, raw: str) -> Keyring:
        keys: list[tuple[str, bytes]] = []
        for entry in (part.strip() for part in raw.split(",") if part.strip()):
            key_id, sep, encoded = entry.partition(":")
            if not sep or not key_id or not key_id.isalnum():
                raise KeyringError("each entry is KEY_ID:KEY with an alphanumeric KEY_ID")
            try:
                key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            except (binascii.Error, ValueError):
                raise KeyringError(f"key {key_id} is not URL-safe base64") from None
            if len(key) != 32:
                raise KeyringError(f"key {key_id} must be 32 bytes, not {len(key)}")
            if key_id in dict(keys):
                raise KeyringError(f"key id {key_id} appears twice")
            keys.append((key_id, key))
        if not keys:
            raise KeyringError("no keys")
        return cls(tuple(keys))

    @staticmethod
    def generate_entry(key_id: str) -> str:
        return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('=')}"

    @property
    def newest(self) -> str:
        return self.keys[0][0]

    def seal(self, plaintext: str, context: str) -> str:
        key_id, key = self.keys[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, ciphertext: str, context: str) -> str:
        key_id, _, encoded = ciphertext.partition(":")
        key = dict(self.keys).get(key_id)
        try:
            if key is None:
                raise UndecryptableToken(f"no key {key_id!r} in the keyring")
            blob = base64.b64decode(encoded, validate=True)
            plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode())
        except (InvalidTag, binascii.Error, ValueError) as failure:
            raise UndecryptableToken("the stored token does not belong here") from failure
        return plain.decode()

    def key_id_of(self, ciphertext: str) -> str:
        return ciphertext.partition(":")[0]

"""Encrypting a backup file with a key from the environment (`EIP_BACKUP_KEY`).

AES-256-GCM from the maintained `cryptography` package, in chunks so that a backup of any size
streams through in constant memory. Each file gets its own key, derived with HKDF from the
operator's key and a random salt kept in the header. Every chunk is authenticated together
with the header, its position and whether it is the last one, so that an altered, reordered,
truncated or extended file is refused, as is the wrong key; nothing is trusted until the
whole file has been opened.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from eip.files import open_private

KEY_SETTING = "EIP_BACKUP_KEY"
MAGIC = b"EIP-BACKUP-SEALED-1\n"
_SALT_BYTES = 16
_CHUNK = 1024 * 1024
_LENGTH = struct.Struct(">I")
_HKDF_CONTEXT = b"eip-tracker backup encryption v1"


class SealError(Exception):
    """The file cannot be opened: the message says why, for the operator."""


def parse_key(raw: str) -> bytes:
    """The key as `Fernet.generate_key()` prints it: 32 url-safe base64-encoded bytes."""
    try:
        key = base64.urlsafe_b64decode(raw.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        key = b""
    if len(key) != 32:
        raise SealError(
            f"{KEY_SETTING} must be 32 url-safe base64-encoded bytes; make one with "
            "python3 -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        )
    return key


def is_sealed(path: Path) -> bool:
    with path.open("rb") as source:
        return source.read(len(MAGIC)) == MAGIC


def _file_key(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_HKDF_CONTEXT)
    return AESGCM(derived.derive(key))


def _nonce(index: int, last: bool) -> bytes:
    return struct.pack(">QB", index, 1 if last else 0) + b"\0\0\0"


def seal(plain: Path, sealed: Path, key: bytes) -> None:
    salt = os.urandom(_SALT_BYTES)
    header = MAGIC + salt
    cipher = _file_key(key, salt)
    with plain.open("rb") as source, open_private(sealed) as target:
        target.write(header)
        index = 0
        chunk = source.read(_CHUNK)
        while True:
            following = source.read(_CHUNK)
            last = not following
            box = cipher.encrypt(_nonce(index, last), chunk, header)
            target.write(_LENGTH.pack(len(box)) + box)
            if last:
                break
            chunk, index = following, index + 1


def unseal(sealed: Path, plain: Path, key: bytes) -> None:
    """Decrypt into `plain`; raises SealError, leaving `plain` to be thrown away, when any
    chunk fails its check or the file ends before its last chunk."""
    refused = SealError(
        "EIP_BACKUP_KEY does not open this backup, or the file was altered or cut short: "
        "nothing was restored"
    )
    with sealed.open("rb") as source, open_private(plain) as target:
        header = source.read(len(MAGIC) + _SALT_BYTES)
        if len(header) != len(MAGIC) + _SALT_BYTES or not header.startswith(MAGIC):
            raise SealError("This is not an encrypted EIP Tracker backup")
        cipher = _file_key(key, header[len(MAGIC) :])
        index = 0
        while True:
            prefix = source.read(_LENGTH.size)
            if len(prefix) != _LENGTH.size:
                raise refused  # ended before a chunk marked last
            (length,) = _LENGTH.unpack(prefix)
            box = source.read(length)
            if len(box) != length:
                raise refused
            following = source.read(1)
            last = not following
            try:
                target.write(cipher.decrypt(_nonce(index, last), box, header))
            except InvalidTag:
                raise refused from None
            if last:
                return
            source.seek(-1, os.SEEK_CUR)
            index += 1

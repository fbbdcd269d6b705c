"""The encryption of backups (eip/backups/sealing.py): a round trip in many chunks, and any
change to the sealed file, its chunks' order or length, or the key, refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from eip.backups import sealing

KEY = sealing.parse_key(Fernet.generate_key().decode())


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(sealing, "_CHUNK", 64)


def sealed_copy(tmp_path: Path, data: bytes) -> Path:
    plain, sealed = tmp_path / "plain", tmp_path / "sealed"
    plain.write_bytes(data)
    sealing.seal(plain, sealed, KEY)
    return sealed


def opened(tmp_path: Path, sealed: Path, key: bytes = KEY) -> bytes:
    out = tmp_path / "opened"
    sealing.unseal(sealed, out, key)
    return out.read_bytes()


@pytest.mark.parametrize("size", [0, 1, 64, 65, 1000])
def test_sealed_data_opens_to_the_same_bytes_in_any_number_of_chunks(small_chunks, tmp_path, size):
    data = os.urandom(size)
    sealed = sealed_copy(tmp_path, data)
    assert sealing.is_sealed(sealed)
    assert (sealed.stat().st_mode & 0o777) == 0o600
    assert opened(tmp_path, sealed) == data


def test_the_same_data_sealed_twice_differs(tmp_path):
    first = sealed_copy(tmp_path, b"the same backup").read_bytes()
    second = sealed_copy(tmp_path, b"the same backup").read_bytes()
    assert first != second


def test_swapped_chunks_are_refused(small_chunks, tmp_path):
    sealed = sealed_copy(tmp_path, os.urandom(64 * 3))
    data = sealed.read_bytes()
    header = len(sealing.MAGIC) + 16
    box = 4 + 64 + 16  # length, ciphertext, tag
    first, second = data[header : header + box], data[header + box : header + 2 * box]
    sealed.write_bytes(data[:header] + second + first + data[header + 2 * box :])
    with pytest.raises(sealing.SealError, match="altered or cut short"):
        opened(tmp_path, sealed)


def test_a_file_cut_at_a_chunk_boundary_is_refused(small_chunks, tmp_path):
    sealed = sealed_copy(tmp_path, os.urandom(64 * 3))
    data = sealed.read_bytes()
    sealed.write_bytes(data[: len(sealing.MAGIC) + 16 + 2 * (4 + 64 + 16)])
    with pytest.raises(sealing.SealError, match="altered or cut short"):
        opened(tmp_path, sealed)


def test_another_key_is_refused(tmp_path):
    sealed = sealed_copy(tmp_path, b"backup")
    other = sealing.parse_key(Fernet.generate_key().decode())
    with pytest.raises(sealing.SealError, match="does not open this backup"):
        opened(tmp_path, sealed, other)


@pytest.mark.parametrize("raw", ["", "short", "x" * 44, "é" * 44])
def test_a_key_that_is_not_32_base64_bytes_is_refused_with_how_to_make_one(raw):
    with pytest.raises(sealing.SealError, match=r"Fernet\.generate_key"):
        sealing.parse_key(raw)

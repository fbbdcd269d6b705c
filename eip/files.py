"""Files the service writes that hold personal data or secrets: readable by its own user only.

The evaluation extracts, the mail outbox of a development install and the SQLite database
would otherwise take the process umask (often 0644: readable by every account on the host).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Create the folder (owner only) if it is missing; an existing folder is left as it is."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return path


def open_private(path: Path) -> BinaryIO:
    """Open for binary writing, created (or truncated) with mode 0600 whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # an existing file keeps its old mode through O_CREAT
    return os.fdopen(fd, "wb")


def write_private(path: Path, data: bytes) -> None:
    with open_private(path) as target:
        target.write(data)


def make_private(path: Path) -> None:
    """Create an empty file with mode 0600 if missing, else take its mode down to 0600.

    For the SQLite database: created before the first connection, so SQLite (which gives
    its -wal and -shm files the database file's mode) never makes it world-readable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)

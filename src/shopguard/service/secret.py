"""The service's secret key: random on first start, kept in a private file afterwards.

Example:
    >>> key = load_secret_key(Path("var"))  # doctest: +SKIP
    >>> len(key)  # doctest: +SKIP
    64
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_BYTES = 64
KEY_FILE = "secret.key"


def load_secret_key(data_dir: Path) -> bytes:
    """The key in ``data_dir/secret.key``, created (mode 0600, ``KEY_BYTES`` random bytes,
    hex) if missing. Raises ``ValueError`` if the file holds too short a key."""
    path = Path(data_dir) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(key) < 32:
            raise ValueError(f"{path}: secret key is shorter than 32 bytes") from None
        return key
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key

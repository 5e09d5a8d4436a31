"""Model files of the registry: a local folder plus, optionally, an object store.

Keys are ``models/<version>.onnx`` (and ``models/<version>.pt`` for the PyTorch
checkpoint that fine-tuning starts from). The local copy is what workers load; a worker
on another machine that lacks it fetches it from the object store and checks its sha256.

Example:
    >>> files = ModelFiles(Path("var/models"))  # doctest: +SKIP
    >>> key, info = files.put("v3", Path("runs/x/model.onnx"))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from shopguard.storage.evidence.base import EvidenceStore, ObjectInfo, file_digest, validate_key
from shopguard.storage.evidence.local import LocalEvidenceStore


class ModelFileError(RuntimeError):
    """A model file is missing everywhere or does not match its recorded checksum."""


def model_key(version: str, suffix: str) -> str:
    """``models/<version><suffix>``."""
    return validate_key(f"models/{version}{suffix}")


class ModelFiles:
    """Stores and finds registry model files.

    Args:
        root: the local folder (``data_dir``); files go to ``root/models/<version>.onnx``.
        remote: an object store (IBM COS, S3, MinIO) that also receives every file.
    """

    def __init__(self, root: str | Path, remote: EvidenceStore | None = None):
        self.local = LocalEvidenceStore(root)
        self.remote = remote

    def put(self, key: str, path: Path) -> ObjectInfo:
        """Copy ``path`` under ``key`` locally (and to the object store, if any)."""
        info = self.local.put(key, path)
        if self.remote is not None:
            self.remote.put(key, self.local.path(key))
        return info

    def delete(self, key: str) -> None:
        """Remove ``key`` locally and from the object store (a missing key is no error)."""
        self.local.delete(key)
        if self.remote is not None:
            self.remote.delete(key)

    def path(self, key: str, sha256: str | None) -> Path:
        """The local file for ``key``, fetched from the object store if missing; its
        sha256 must be ``sha256`` (when given)."""
        local = self.local.path(key)
        if not local.is_file() and self.remote is not None:
            data = self.remote.read(key)
            local.parent.mkdir(parents=True, exist_ok=True)
            part = local.with_name(local.name + ".part")
            part.write_bytes(data)
            part.replace(local)
        if not local.is_file():
            raise ModelFileError(f"model file {key} is not in {self.local.root}"
                                 + (" nor in the object store" if self.remote else ""))
        if sha256 is not None and file_digest(local)[1] != sha256:
            raise ModelFileError(f"model file {local} does not match its registered sha256")
        return local

"""Evidence stores: local directory and S3-compatible buckets, and the archive over both.

Example:
    >>> from shopguard.storage.evidence import LocalEvidenceStore, validate_key
    >>> validate_key("../etc/passwd")
    Traceback (most recent call last):
    ...
    shopguard.storage.evidence.base.InvalidKey: unsafe evidence key '../etc/passwd' (part '..')
"""

from shopguard.storage.evidence.archive import (
    EvidenceArchive,
    EvidenceUploader,
    UploadReport,
    evidence_key,
)
from shopguard.storage.evidence.base import (
    EvidenceError,
    EvidenceNotFound,
    EvidenceStore,
    InvalidKey,
    ObjectInfo,
    UploadError,
    validate_key,
)
from shopguard.storage.evidence.local import LocalEvidenceStore
from shopguard.storage.evidence.s3 import S3EvidenceStore

__all__ = [
    "EvidenceArchive",
    "EvidenceError",
    "EvidenceNotFound",
    "EvidenceStore",
    "EvidenceUploader",
    "InvalidKey",
    "LocalEvidenceStore",
    "ObjectInfo",
    "S3EvidenceStore",
    "UploadError",
    "UploadReport",
    "evidence_key",
    "validate_key",
]

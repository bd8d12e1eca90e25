"""The blob store at scale: any S3-compatible object store (AWS S3, MinIO, Ceph, R2, ...).

Objects are named as in the local folder (:func:`~doorstep.store.blob_files.blob_key`),
under an optional prefix. An S3 PUT is atomic (an object is whole or absent) and writing
the same key twice stores the same bytes, so uploads need no locking here either. The
client is made by bootstrap from the settings; nothing connects at import time.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from doorstep.services.ports import BlobVariant
from doorstep.store.blob_files import blob_key

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


class S3BlobStore:
    """Satisfies :class:`doorstep.services.ports.BlobStore` with objects in one bucket."""

    def __init__(self, client: Any, bucket: str, prefix: str = "blobs/") -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def connect(
        cls,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        region: str | None = None,
    ) -> S3BlobStore:
        """A store on ``bucket``. ``endpoint_url`` names a server other than AWS (path-style
        addressing, which every S3-compatible server understands); keys left out are
        looked up the usual AWS way (environment, instance role)."""
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if endpoint_url else "auto"},
                retries={"max_attempts": 5, "mode": "standard"},
            ),
        )
        return cls(client, bucket)

    def _key(self, sha256: str, variant: BlobVariant) -> str:
        return self.prefix + blob_key(sha256, variant)

    def put(self, sha256: str, variant: BlobVariant, data: bytes, content_type: str) -> None:
        self._client.put_object(
            Bucket=self.bucket,
            Key=self._key(sha256, variant),
            Body=data,
            ContentType=content_type,
        )

    def get(self, sha256: str, variant: BlobVariant) -> bytes | None:
        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=self._key(sha256, variant))
        except ClientError as error:
            if _missing(error):
                return None
            raise
        body: bytes = answer["Body"].read()
        return body

    def exists(self, sha256: str, variant: BlobVariant) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(sha256, variant))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def delete(self, sha256: str, variant: BlobVariant) -> None:
        """S3 answers a delete of a missing key with success, as the port wants."""
        self._client.delete_object(Bucket=self.bucket, Key=self._key(sha256, variant))


def _missing(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in _MISSING

"""A real S3-compatible server on loopback for tests: moto's server mode in a thread.

The S3 store speaks HTTP to it exactly as it would to MinIO or AWS (signatures, path-style
addressing, status codes); nothing is patched in the client.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

ACCESS_KEY = "doorstep-test"
SECRET_KEY = "doorstep-test-secret"
REGION = "eu-west-2"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def create_bucket(self) -> str:
        """A new, empty bucket with a unique name."""
        name = f"doorstep-test-{secrets.token_hex(4)}"
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name


@contextmanager
def s3_server() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()

"""The API as a separate uvicorn process that a test can SIGKILL and start again.

A thread inside the test process cannot be killed like a crashed server; a subprocess can,
mid-request, with its database connections and half-written transactions in flight.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.live_server import HANG_GUARD_S

REPO_ROOT = Path(__file__).resolve().parents[3]
FACTORY = "tests.integration.faults.app_factory:create"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """``uvicorn --factory`` over ``database_url`` on a fixed loopback port.

    ``env`` adds settings for the server, e.g. ``DOORSTEP_BLOB_DIR`` for where uploaded
    files go (the default, data_dir/blobs, is relative to the repository).
    """

    def __init__(
        self,
        database_url: str,
        secret_key: str,
        port: int | None = None,
        *,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = (
            os.environ
            | {
                "DOORSTEP_DATABASE_URL": database_url,
                "DOORSTEP_MODE": "test",
                "DOORSTEP_SECRET_KEY": secret_key,
                "DOORSTEP_PUBLIC_URL": self.base_url,
                # Many clients retrying at once from one address: no rate limit in the way.
                "DOORSTEP_REQUESTS_PER_MINUTE_PER_ADDRESS": "1000000",
                "DOORSTEP_REQUESTS_PER_MINUTE_PER_CREDENTIAL": "1000000",
            }
            | (env or {})
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = HANG_GUARD_S) -> float:
        """Start the server and wait until it answers; returns the seconds it took."""
        began = time.monotonic()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                FACTORY,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=REPO_ROOT,
            env=self.env,
        )
        self.starts += 1
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the API server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/v1/openapi.json", timeout=1.0).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the API server did not answer within {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing, connections cut mid-request."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

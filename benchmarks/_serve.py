"""``doorstep serve`` in a process of its own, for benchmarks that measure a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

SECRET = "benchmark-secret-not-for-production"  # a throwaway database's
START_GUARD_S = 120.0  # a server that has not answered by then is broken, not slow


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(url: str, data_dir: Path, *, jobs: bool = False) -> Iterator[str]:
    """``doorstep serve`` in its own process over ``url``; yields its base URL.

    Without ``jobs`` it serves requests only (``--no-jobs``): nothing relays the outbox.
    With ``jobs`` it runs the in-process job queue as ``doorstep serve`` does by default
    on one machine, so the relay raises exceptions and tells open consoles."""
    port = free_port()
    env = os.environ | {
        "DOORSTEP_DATABASE_URL": url,
        "DOORSTEP_MODE": "test",
        "DOORSTEP_SECRET_KEY": SECRET,
        "DOORSTEP_DATA_DIR": str(data_dir),
        "DOORSTEP_REQUESTS_PER_MINUTE_PER_ADDRESS": "100000000",
        "DOORSTEP_REQUESTS_PER_MINUTE_PER_CREDENTIAL": "100000000",
    }
    env.pop("DOORSTEP_REDIS_URL", None)
    command = [sys.executable, "-m", "doorstep", "serve", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--jobs" if jobs else "--no-jobs"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_GUARD_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"doorstep serve exited with {process.returncode}")
            try:
                httpx.get(f"{base_url}/health", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("doorstep serve did not answer") from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)

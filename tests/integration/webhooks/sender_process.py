"""A webhook worker as its own process, for the kill test: ``python -m`` this module.

Wired by bootstrap from ``DOORSTEP_*`` variables as ``doorstep worker`` is, it runs the
sender job over and over (the minute's sweep, made continuous) until it is killed. The
lease after which a claimed delivery is due again comes from ``WEBHOOK_LEASE_S``, so a
test need not wait a minute for a killed send to come due.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

from doorstep.bootstrap import build_container, build_jobs
from doorstep.config import Settings


def main() -> None:
    settings = Settings()
    jobs = build_jobs(settings)
    container = build_container(settings, jobs=jobs)
    lease = float(os.environ.get("WEBHOOK_LEASE_S", "60"))
    jobs.bind(replace(container, webhooks=replace(container.webhooks, lease_s=lease)))
    print("ready", flush=True)
    while True:
        jobs.webhook_send_job()
        time.sleep(0.05)


if __name__ == "__main__":
    main()

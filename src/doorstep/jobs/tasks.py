"""The tasks. Each one is thin: it calls one use case with the container's ports."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from huey import Huey, crontab

from doorstep.services import blobs, idempotency, pings, plans, webhooks
from doorstep.services.container import Container
from doorstep.services.errors import NotFound
from doorstep.services.exceptions import sweep_exceptions
from doorstep.services.notifications.intake import notification_handler
from doorstep.services.notifications.send import send_due
from doorstep.services.relay import relay_pending

log = logging.getLogger("doorstep.jobs")
PLAN_JOB = "plan_job"
PURGE_JOB = "purge_idempotency_job"
PURGE_EVERY = crontab(minute="*/15")  # records are gone at most 15 minutes after 24 h
PING_PURGE_JOB = "purge_pings_job"  # on the same schedule: each run deletes a little
PHOTO_PURGE_JOB = "purge_photos_job"
PHOTO_PURGE_EVERY = crontab(minute="7")  # hourly: photos go within an hour of their time
RELAY_JOB = "relay_job"  # enqueued after each commit that wrote events
RELAY_SWEEP = "relay_sweep_job"  # the same, every minute: nothing waits on a lost enqueue
RELAY_EVERY = crontab()  # every minute (also sends held texts and retries when due)
WEBHOOK_SEND_JOB = "webhook_send_job"  # enqueued after the relay's fan-out commits
WEBHOOK_SWEEP_JOB = "webhook_sweep_job"  # the same work every minute: retries fall due
WEBHOOK_SWEEP_EVERY = crontab(minute="*")
EXCEPTIONS_SWEEP_JOB = "exceptions_sweep_job"  # time-based exceptions (stationary, not started)
EXCEPTIONS_SWEEP_EVERY = crontab()  # every minute
WEBHOOK_BATCHES = 20  # one run sends at most this many batches; the next run the rest


class PlanJobs:
    """Registers ``plan_job`` on a queue; bound to a container once bootstrap has made it.

    The container needs :meth:`enqueue` and the task needs the container, hence the
    two steps: ``jobs = PlanJobs(make_queue)``, ``Container(..., enqueue_plan=jobs.enqueue)``,
    ``jobs.bind(container)``. The queue is made on first use, so commands that never
    plan (``create-brand``) neither create a queue file nor connect to Redis. The same
    queue carries the periodic purges of expired idempotency records, of couriers'
    positions and of photos past their retention, run by any consumer started with
    ``periodic=True``.
    """

    def __init__(self, make_queue: Callable[[], Huey]) -> None:
        self._make_queue = make_queue
        self._queue: Huey | None = None
        self._task: Callable[[str], object] | None = None
        self._relay_task: Callable[[], object] | None = None
        self._webhook_task: Callable[[], object] | None = None
        self._lock = threading.Lock()
        self._container: Container | None = None

    @property
    def queue(self) -> Huey:
        with self._lock:
            if self._queue is None:
                queue = self._make_queue()
                self._task = queue.task(name=PLAN_JOB)(self.plan_job)
                queue.periodic_task(PURGE_EVERY, name=PURGE_JOB)(self.purge_idempotency_job)
                queue.periodic_task(PURGE_EVERY, name=PING_PURGE_JOB)(self.purge_pings_job)
                queue.periodic_task(PHOTO_PURGE_EVERY, name=PHOTO_PURGE_JOB)(self.purge_photos_job)
                self._relay_task = queue.task(name=RELAY_JOB)(self.relay_job)
                queue.periodic_task(RELAY_EVERY, name=RELAY_SWEEP)(self.relay_job)
                self._webhook_task = queue.task(name=WEBHOOK_SEND_JOB)(self.webhook_send_job)
                queue.periodic_task(WEBHOOK_SWEEP_EVERY, name=WEBHOOK_SWEEP_JOB)(
                    self.webhook_send_job
                )
                queue.periodic_task(EXCEPTIONS_SWEEP_EVERY, name=EXCEPTIONS_SWEEP_JOB)(
                    self.exceptions_sweep_job
                )
                self._queue = queue
            return self._queue

    def bind(self, container: Container) -> None:
        self._container = container

    def enqueue(self, plan_id: str) -> None:
        """Put ``plan_job(plan_id)`` on the queue; call only after the plan is committed."""
        self.queue  # noqa: B018 - made (and the task registered) on first use
        assert self._task is not None
        self._task(plan_id)

    def enqueue_relay(self) -> None:
        """Put ``relay_job`` on the queue; the unit of work calls it after a commit that
        wrote events (never inside the transaction)."""
        self.queue  # noqa: B018 - made (and the task registered) on first use
        assert self._relay_task is not None
        self._relay_task()

    def relay_job(self) -> int:
        """Relay pending outbox events to their handlers (notifications, webhooks), then
        send the messages that are due. Cheap when nothing waits: two indexed reads."""
        container = self._bound()
        handlers = list(container.relay_handlers)
        if container.senders is not None:  # messages are written only where they can be sent
            handlers.append(notification_handler(container.clock))
        relayed = relay_pending(
            container.uow_factory, container.clock, handlers, container.relay_after
        )
        if relayed:
            log.info("relayed %d outbox events", relayed)
        if container.senders is not None:
            report = send_due(container.uow_factory, container.clock, container.senders)
            if report.sent or report.failed or report.retried:
                log.info(
                    "messages: %d sent, %d to retry, %d failed, %d held, %d skipped",
                    report.sent,
                    report.retried,
                    report.failed,
                    report.held,
                    report.skipped,
                )
        return relayed

    def enqueue_webhooks(self) -> None:
        """Put ``webhook_send_job`` on the queue: called after the relay's fan-out commits,
        so a new delivery goes out at once rather than at the next minute's sweep."""
        self.queue  # noqa: B018 - made (and the task registered) on first use
        assert self._webhook_task is not None
        self._webhook_task()

    def webhook_send_job(self) -> int:
        """POST the webhook deliveries that are due; how many were attempted.

        Two ways in: enqueued after each fan-out (new deliveries), and a sweep every
        minute (retries come due with back-off; a delivery whose sender died mid-send
        comes due again when its claim lapses). Two runs at once are harmless: each
        delivery is claimed before it is sent, and only one run gets the claim."""
        container = self._bound()
        attempted = 0
        for _ in range(WEBHOOK_BATCHES):
            report = webhooks.send_due(container.uow_factory, container.clock, container.webhooks)
            attempted += report.attempted
            if report.attempted < webhooks.sending.BATCH:
                break
        if attempted:
            log.info("sent %d webhook deliveries", attempted)
        return attempted

    def plan_job(self, plan_id: str) -> None:
        """Solve one stored plan. Running it twice is harmless (``run_plan`` is idempotent)."""
        container = self._bound()
        try:
            done = plans.run_plan(
                container.uow_factory,
                plan_id,
                container.routing_for,
                container.clock,
                container.planner,
            )
        except NotFound:
            log.warning("plan job for unknown plan %s dropped", plan_id)
            return
        log.info("plan %s %s", plan_id, done.status.value)

    def purge_idempotency_job(self) -> int:
        """Delete saved idempotent answers past their 24-hour window (they may hold
        personal data and can never be replayed again)."""
        container = self._bound()
        purged = idempotency.purge_expired(container.uow_factory, container.clock)
        log.info("purged %d expired idempotency records", purged)
        return purged

    def purge_pings_job(self) -> int:
        """Delete couriers' positions older than the retention the settings give."""
        container = self._bound()
        purged = pings.purge_old_pings(
            container.uow_factory, container.clock, container.ping_retention
        )
        log.info("purged %d courier positions past retention", purged)
        return purged

    def purge_photos_job(self) -> int:
        """Delete the files of proof images past the retention period (they show people's
        doors and faces); their records and hashes stay."""
        container = self._bound()
        purged = blobs.purge_expired_photos(
            container.uow_factory, container.blobs, container.clock.now(), container.photo_retention
        )
        log.info("purged the files of %d images past their retention", purged)
        return purged

    def exceptions_sweep_job(self) -> int:
        """Raise the exceptions time brings (a courier not moving, a route not started,
        parcels not loaded at departure, mis-sorts, unroutable addresses) and close those
        whose cause went away; how many were raised."""
        container = self._bound()
        raised = sweep_exceptions(container.uow_factory, container.clock)
        if raised:
            log.info("raised %d exceptions", raised)
        return raised

    def resume(self) -> list[str]:
        """Enqueue plans a dead worker left behind (queued, or running past their budget)."""
        container = self._bound()
        stale = plans.stale_plans(container.uow_factory(plans.JOB), container.clock.now())
        for plan_id in stale:
            self.enqueue(plan_id)
        return stale

    def _bound(self) -> Container:
        if self._container is None:
            raise RuntimeError("PlanJobs.bind(container) was not called")
        return self._container

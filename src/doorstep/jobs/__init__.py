"""Background jobs (huey): queue wiring, the tasks, and an in-process consumer.

A job is enqueued only after the transaction that asked for it commits: the API route
calls ``Container.enqueue_plan`` once ``services.plans.request_plan`` has returned.
"""

"""Orders: create, cancel and read them (``use_cases``), import a CSV file of them
(``imports``), the checked draft a CSV row becomes (``draft``), and what a parcel's label is
printed from (``labels``). The use cases are re-exported here: ``orders.create_order``.
"""

from doorstep.services.orders.use_cases import (
    cancel_order,
    create_order,
    create_orders_batch,
    get_order,
    get_parcel,
    list_orders,
    order_status,
)

__all__ = [
    "cancel_order",
    "create_order",
    "create_orders_batch",
    "get_order",
    "get_parcel",
    "list_orders",
    "order_status",
]

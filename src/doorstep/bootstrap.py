"""The composition root: the one place that picks implementations and wires them."""

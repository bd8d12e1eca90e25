"""carriers layer: see DESIGN.md."""

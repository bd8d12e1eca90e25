"""notify layer: see DESIGN.md."""

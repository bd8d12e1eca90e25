"""The recipient's side: the tracking page's read model and the recipient's actions."""

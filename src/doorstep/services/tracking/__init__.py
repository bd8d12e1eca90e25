"""The recipient's tracking page: its read model (:mod:`.view`) and live notices (:mod:`.live`)."""

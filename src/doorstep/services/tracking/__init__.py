"""The recipient's tracking page: its read model (:mod:`.view`), live notices (:mod:`.live`)
and what the recipient may change from it (:mod:`.actions`)."""

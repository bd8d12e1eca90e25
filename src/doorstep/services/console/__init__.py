"""Read models and live notices for the dispatcher's console (``web/console``)."""

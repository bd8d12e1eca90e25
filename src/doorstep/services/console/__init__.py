"""Read models and small use cases behind the dispatcher's console pages."""

"""The application layer: commands, one handler each, and the message bus that runs them."""

"""staffbot: the application (use cases, ports, channels, documents, web, settings, texts)."""

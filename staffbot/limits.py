"""Sizes the surfaces and the services must agree on, in a module that imports nothing:
the web page announces the upload limit and refuses early; the services refuse again."""

from __future__ import annotations

#: The largest file a person may send (a scan, a photo, a PDF), on every channel.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

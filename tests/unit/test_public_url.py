"""STAFFBOT_PUBLIC_URL follows the web server's host and port when it is not set, so
the links and QR codes the bot hands out lead to where it actually listens."""

from __future__ import annotations

import pytest

from staffbot.settings import Settings


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name in ("STAFFBOT_PUBLIC_URL", "STAFFBOT_WEB_HOST", "STAFFBOT_WEB_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"STAFFBOT_{name}", value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({}, "http://127.0.0.1:8080"),
        ({"WEB_PORT": "9000"}, "http://127.0.0.1:9000"),
        ({"WEB_HOST": "192.168.1.20", "WEB_PORT": "8443"}, "http://192.168.1.20:8443"),
        ({"WEB_HOST": "staffbot.lan"}, "http://staffbot.lan:8080"),
        ({"WEB_HOST": "::1", "WEB_PORT": "9001"}, "http://[::1]:9001"),
        # listening everywhere names no one host: the machine itself
        ({"WEB_HOST": "0.0.0.0", "WEB_PORT": "9002"}, "http://127.0.0.1:9002"),
        ({"PUBLIC_URL": "", "WEB_PORT": "9003"}, "http://127.0.0.1:9003"),
        # set: taken as it is, whatever the server listens on
        ({"PUBLIC_URL": "https://layanan.example.go.id", "WEB_PORT": "9004"}, None),
    ],
)
def test_the_public_url_follows_the_web_address_unless_set(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str | None
) -> None:
    settings = _settings(monkeypatch, **env)
    assert settings.public_url == (url or env["PUBLIC_URL"])

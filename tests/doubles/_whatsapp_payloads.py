"""Webhook bodies shaped like the Cloud API's, and their X-Hub-Signature-256."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from ._whatsapp_model import UserThread


def sign(app_secret: str, body: bytes) -> str:
    """X-Hub-Signature-256 header value: HMAC-SHA256 of the raw body with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(
    waba_id: str,
    phone_id: str,
    display_phone: str,
    value: dict[str, Any],
) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display_phone,
                                "phone_number_id": phone_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def contact(thread: UserThread) -> dict[str, Any]:
    # pywa 4.5 reads contacts[0]["user_id"] unconditionally; without it the update is dropped.
    return {
        "profile": {"name": thread.name or ""},
        "wa_id": thread.phone,
        "user_id": thread.user_id,
    }


def inbound_value(
    thread: UserThread,
    message_id: str,
    timestamp: float,
    kind: str,
    content: dict[str, Any],
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": thread.phone,
        "id": message_id,
        "timestamp": str(int(timestamp)),
        "type": kind,
        kind: content,
    }
    if context:
        message["context"] = context
    return {"contacts": [contact(thread)], "messages": [message]}


def status_value(
    thread: UserThread,
    message_id: str,
    status: str,
    timestamp: float,
    errors: list[dict[str, Any]] | None = None,
    *,
    category: str = "service",
    with_contacts: bool = True,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(int(timestamp)),
        "recipient_id": thread.phone,
        "recipient_user_id": thread.user_id,
    }
    if status == "failed":
        entry["errors"] = errors or []
    else:
        conversation: dict[str, Any] = {
            "id": hashlib.md5(f"{thread.phone}:{category}".encode()).hexdigest(),
            "origin": {"type": category},
        }
        if status == "sent":
            conversation["expiration_timestamp"] = str(int(timestamp) + 86400)
        entry["conversation"] = conversation
        entry["pricing"] = {"billable": True, "pricing_model": "PMP", "category": category}
    value: dict[str, Any] = {"statuses": [entry]}
    if with_contacts:
        # pywa 4.5 builds MessageStatus.from_user from value["contacts"] too.
        value["contacts"] = [contact(thread)]
    return value

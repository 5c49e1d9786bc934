"""Neutral outgoing messages: what the core asks a channel to show, whatever the channel.

Outbox rows carry these as JSON payloads. Text uses the format of staffbot.richtext.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Payload flag of an edit whose attachment is new (a signed PDF replacing the card's
#: document): channels that cannot put a file into an edited message send it with the
#: edit. Other edits repeat the card's attachment only for the web page's link.
EDIT_SENDS_DOCUMENT = "sends_document"


@dataclass(frozen=True)
class Choice:
    """A button: the label a person sees and the opaque token the server looks up."""

    label: str
    token: str


@dataclass(frozen=True)
class Attachment:
    """A stored document (by id) to send with the message."""

    document_id: int
    filename: str


@dataclass(frozen=True)
class OutgoingMessage:
    text: str
    choices: tuple[Choice, ...] = ()
    attachment: Attachment | None = None
    #: For WhatsApp outside the 24-hour window: the approved template to use instead.
    template: str | None = None
    template_params: tuple[str, ...] = field(default_factory=tuple)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": self.text}
        if self.choices:
            payload["choices"] = [{"label": c.label, "token": c.token} for c in self.choices]
        if self.attachment is not None:
            payload["attachment"] = {
                "document_id": self.attachment.document_id,
                "filename": self.attachment.filename,
            }
        if self.template is not None:
            payload["template"] = self.template
            payload["template_params"] = list(self.template_params)
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> OutgoingMessage:
        attachment = payload.get("attachment")
        return cls(
            text=str(payload.get("text", "")),
            choices=tuple(Choice(c["label"], c["token"]) for c in payload.get("choices", ())),
            attachment=Attachment(int(attachment["document_id"]), str(attachment["filename"]))
            if attachment
            else None,
            template=payload.get("template"),
            template_params=tuple(payload.get("template_params", ())),
        )

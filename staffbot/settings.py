"""Settings from environment variables (prefix STAFFBOT_) and an optional `.env` file."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from flows.calendar import OfficeHours, parse_office_hours
from staffbot.numbering import check_pattern
from staffbot.wilayah import KECAMATAN_KODE

#: The 20 kecamatan of Kabupaten Tanggamus (Kemendagri 18.06), in the order of their
#: Kemendagri codes (staffbot.wilayah says where the codes come from).
KECAMATAN_TANGGAMUS: tuple[str, ...] = tuple(name for _code, name in KECAMATAN_KODE)
KODE_KECAMATAN_TANGGAMUS: dict[str, str] = {name: code for code, name in KECAMATAN_KODE}

JENIS_LAYANAN: tuple[str, ...] = (
    "KK",
    "KTP-el",
    "KIA",
    "Akta Kelahiran",
    "Akta Kematian",
    "Akta Perkawinan",
    "Akta Perceraian",
    "Pindah/Datang",
    "Perubahan Biodata",
    "Legalisir",
    "Lainnya",
)

CommaList = Annotated[tuple[str, ...], NoDecode]
#: Listening addresses that name no one host a link could point at.
_EVERY_INTERFACE = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 (compared, not bound)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STAFFBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///./staffbot.db"

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_library: str = Field(default="ptb", pattern="^(ptb|aiogram)$")
    telegram_webhook_url: str | None = None

    whatsapp_token: SecretStr | None = None
    whatsapp_phone_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_url: str = "https://graph.facebook.com"
    #: The online-service WhatsApp number applicants send their files to (shown to them).
    whatsapp_service_number: str = "+62 812-0000-0000"
    #: Approved message templates for outside the 24-hour window (docs/CHANNELS.md).
    whatsapp_template_card: str = "staffbot_tugas_baru"
    whatsapp_template_applicant: str = "staffbot_info_pengaduan"
    whatsapp_template_document: str = "staffbot_dokumen_selesai"
    whatsapp_template_language: str = "id"

    web_host: str = "127.0.0.1"
    web_port: int = 8080
    #: Base of the links the bot hands out (QR codes, login links). Unset or empty: the
    #: web server's own address, http://<web_host>:<web_port> (see _follow_web_address).
    public_url: str = ""
    #: Demo mode offers the role picker on the web page; "auto" = on while the demo
    #: roster is the only staff.
    demo: str = Field(default="auto", pattern="^(auto|on|off)$")

    timezone: str = "Asia/Jakarta"
    language: str = Field(default="id", pattern="^(id|en)$")
    data_dir: Path = Path("./data")

    office_name: str = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"
    #: Short name for certificates (X.509 names hold at most 64 characters).
    office_short_name: str = "Disdukcapil Kabupaten Tanggamus"
    office_city: str = "Kota Agung"
    #: NIK regency codes (first 4 digits) of the office's own area; others are flagged.
    regency_codes: CommaList = ("1806",)
    kecamatan: CommaList = KECAMATAN_TANGGAMUS
    layanan: CommaList = JENIS_LAYANAN
    #: BSrE e-sign API v2 for the signatures; without it the local PAdES signer is used.
    bsre_url: str | None = None
    bsre_username: str | None = None
    bsre_password: SecretStr | None = None
    #: NIP -> the signer's account at BSrE (NIK or e-mail), as JSON, e.g.
    #: {"197909031998101001": "1806...."}: BSrE knows signers by NIK or e-mail, we by NIP.
    bsre_accounts: dict[str, str] = Field(default_factory=dict)
    #: Letterhead lines of every document.
    letterhead_government: str = "PEMERINTAH DAERAH KABUPATEN TANGGAMUS"
    letterhead_office: str = "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
    letterhead_address: str = (
        "Kompleks Perkantoran Pemerintah Kabupaten Tanggamus, Kota Agung, Lampung"
    )
    letterhead_contact: str | None = None
    letterhead_logo: Path | None = None
    #: Where a signed Berita Acara goes besides the Kasi Inovasi who made it: kecamatan ->
    #: the UPT's WhatsApp number or the NIP of its bound staff account, as JSON, e.g.
    #: {"Kota Agung": "0812-3456-0001", "Gisting": "198512312010011001"}. A kecamatan
    #: not named gets its Berita Acara on paper only.
    upt_contacts: dict[str, str] = Field(default_factory=dict)
    case_prefix: str = "PO"

    # -- documents: numbers, signers, the Berita Acara ------------------------------------
    #: Numbering per kind of document (staffbot.numbering): the office's classification
    #: code and marks, {seq} the number within the year, {year}, {month}, {roman_month}.
    number_surat: str = "470/{seq}/SRT/DISDUKCAPIL/{year}"
    number_ba: str = "470/{seq}/BA/DISDUKCAPIL/{year}"
    number_rekap: str = "470/{seq}/REKAP/DISDUKCAPIL/{year}"
    #: The former name of STAFFBOT_NUMBER_BA; when set, it wins (older .env files).
    ba_number_pattern: str | None = None
    #: Kemendagri code of each kecamatan (JSON); reports order kecamatan by it.
    kecamatan_codes: dict[str, str] = Field(default_factory=lambda: dict(KODE_KECAMATAN_TANGGAMUS))
    #: kecamatan -> the UPT that receives its files (JSON), e.g.
    #: {"Kota Agung Timur": "UPT Disdukcapil Kecamatan Kota Agung"}; a kecamatan not
    #: named has its own UPT. One Berita Acara goes to one UPT.
    upt: dict[str, str] = Field(default_factory=dict)
    #: How the Berita Acara prints each applicant's NIK: masked (1806********0001),
    #: full, or none (column left out).
    ba_nik: Literal["masked", "full", "none"] = "masked"

    # -- SLA, escalation, digests (scheduler.py) ---------------------------------------
    #: Office hours per weekday in office time; days not named are closed. Indonesian or
    #: English day names: "Sen-Kam 07.30-16.00, Jum 07.30-16.30" works too.
    office_hours: str = "Mon-Thu 07:30-16:00, Fri 07:30-16:30"
    #: A person who would get more escalation alerts than this in one scan gets one
    #: digest card instead.
    digest_threshold: int = Field(default=3, ge=1)
    #: Who chose a task digest (`/ringkasan`) gets a new one at most this often where
    #: the chat cannot update it in place (WhatsApp); web and Telegram update theirs.
    digest_every_minutes: int = Field(default=60, ge=1)
    #: The morning digest of pending tasks (office time, working days only).
    morning_digest_at: str = Field(default="07:45", pattern=r"^\d{1,2}[:.]\d{2}$")
    escalation_interval_seconds: int = Field(default=60, ge=5)
    outbox_sweep_seconds: int = Field(default=15, ge=1)
    #: How long a process holds an outbox row it is delivering. When a process dies
    #: mid-delivery, another one (or the restarted one) sends the row again after this.
    outbox_lease_seconds: int = Field(default=60, ge=1)
    #: A document sent to the applicant (the proof of registration, the signed PDF of
    #: step 13) that WhatsApp has not reported delivered or read after this many office
    #: hours alerts its sender and the Kasi Inovasi (0: only failures alert).
    applicant_delivery_alert_hours: float = Field(default=4.0, ge=0)
    #: Processes that render and sign PDFs for `run` (0: a thread of the bot itself).
    document_workers: int = Field(default=1, ge=0, le=16)

    # -- personal data ----------------------------------------------------------------
    #: `case purge` removes the personal data of cases closed longer ago than this
    #: (days); 0 turns purging off.
    retention_days: int = Field(default=730, ge=0)

    @field_validator("regency_codes", "kecamatan", "layanan", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("number_surat", "number_ba", "number_rekap", "ba_number_pattern")
    @classmethod
    def _number_pattern(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return check_pattern(value, f"STAFFBOT_{(info.field_name or '').upper()}")

    @property
    def number_patterns(self) -> dict[str, str]:
        """Document kind -> its numbering pattern."""
        return {
            "surat": self.number_surat,
            "ba": self.ba_number_pattern or self.number_ba,
            "rekap": self.number_rekap,
        }

    @model_validator(mode="after")
    def _follow_web_address(self) -> Settings:
        """Without a public URL, links point at the web server itself, on whatever host
        and port it listens: a QR printed while the port is 9000 leads to port 9000. A
        server listening on every interface has no one address to print: 127.0.0.1
        then (a deployment behind a proxy sets STAFFBOT_PUBLIC_URL, docs/DEPLOY.md)."""
        if not self.public_url.strip():
            host = self.web_host.strip()
            if host in _EVERY_INTERFACE:
                host = "127.0.0.1"
            elif ":" in host and not host.startswith("["):
                host = f"[{host}]"  # an IPv6 address in a URL
            self.public_url = f"http://{host}:{self.web_port}"
        return self

    @field_validator("office_hours")
    @classmethod
    def _office_hours(cls, value: str) -> str:
        parse_office_hours(value)  # a ValueError here is a settings error at start-up
        return value

    @field_validator("morning_digest_at")
    @classmethod
    def _clock(cls, value: str) -> str:
        hours, minutes = (int(p) for p in value.replace(".", ":").split(":"))
        time(hours, minutes)  # hour 0-23, minute 0-59
        return value

    @model_validator(mode="after")
    def _upt_contacts(self) -> Settings:
        known = {k.casefold() for k in self.kecamatan}
        unknown = sorted(k for k in self.upt_contacts if k.strip().casefold() not in known)
        if unknown:
            raise ValueError(f"upt_contacts names unknown kecamatan: {', '.join(unknown)}")
        return self

    @property
    def office_hours_table(self) -> dict[int, OfficeHours]:
        return parse_office_hours(self.office_hours)

    @property
    def morning_digest_time(self) -> time:
        hours, minutes = (int(p) for p in self.morning_digest_at.replace(".", ":").split(":"))
        return time(hours, minutes)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_token is not None and self.whatsapp_phone_id is not None


def settings_problems(exc: ValidationError) -> list[str]:
    """What a settings error says, one line per setting, without pydantic's wrapping
    (our validators already name the setting and say what is wrong in Indonesian)."""
    lines = []
    for error in exc.errors():
        message = str(error.get("msg", ""))
        message = message.removeprefix("Value error, ")
        name = "STAFFBOT_" + "_".join(str(part) for part in error.get("loc", ())).upper()
        lines.append(message if message.startswith("STAFFBOT_") else f"{name}: {message}")
    return lines

"""Times as people read them: stored in UTC, shown in the office's zone (WIB by default).

The zone is chosen once at start-up (`ARSIP_TIMEZONE`, set by `api.settings.Settings.apply_zone`):
Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT), or any other IANA name.  What
is stored never changes: database rows, the audit trail and backups stay UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archive.errors import BadInputError

DEFAULT_ZONE = "Asia/Jakarta"
ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                 "Asia/Jayapura": "WIT"}
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")
_zone = ZoneInfo(DEFAULT_ZONE)


def tanggal_indonesia(value: date) -> str:
    """`21 November 2026`."""
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def zone_of(name: str) -> ZoneInfo:
    """The zone named `name`, or an error saying which names work."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise BadInputError(f"Zona waktu {name!r} tidak dikenal; gunakan Asia/Jakarta (WIB), "
                            "Asia/Makassar (WITA) atau Asia/Jayapura (WIT).") from e


def set_zone(name: str) -> None:
    """Show every time of this process in zone `name` (called once at start-up)."""
    global _zone
    _zone = zone_of(name)


def zone() -> ZoneInfo:
    """The zone times are shown in."""
    return _zone


def local(value: datetime | str) -> datetime:
    """A stored time (aware, naive UTC, or ISO text) in the shown zone."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite gives stored UTC times back without their zone
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone)


def today() -> date:
    """Today's date where the office is (not the server's, not UTC's)."""
    return datetime.now(_zone).date()


def abbreviation() -> str:
    """`WIB`, `WITA`, `WIT`, else the zone's own short name (`+07`)."""
    key = getattr(_zone, "key", "")
    return ABBREVIATIONS.get(key) or datetime.now(_zone).strftime("%Z")


def waktu(value: datetime | str | None) -> str:
    """`6 Desember 2026 22.31 WIB` (Indonesian spelling: a dot between hours and minutes)."""
    if value is None or value == "":
        return ""
    shown = local(value)
    return f"{tanggal_indonesia(shown.date())} {shown:%H.%M} {abbreviation()}"


def waktu_singkat(value: datetime | str | None) -> str:
    """`2026-12-06 22.31 WIB`: for command-line tables."""
    if value is None or value == "":
        return ""
    shown = local(value)
    return f"{shown:%Y-%m-%d %H.%M} {abbreviation()}"

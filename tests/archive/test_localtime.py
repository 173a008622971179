"""Times shown in the office's zone (WIB by default, WITA and WIT by setting); stored in UTC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from archive import localtime
from archive.errors import BadInputError

STORED = datetime(2026, 12, 6, 17, 31, tzinfo=UTC)  # late afternoon UTC: the next day in the east


@pytest.fixture(autouse=True)
def default_zone() -> Iterator[None]:
    yield
    localtime.set_zone(localtime.DEFAULT_ZONE)


@pytest.mark.parametrize(("zone", "shown"), [
    ("Asia/Jakarta", "7 Desember 2026 00.31 WIB"),
    ("Asia/Makassar", "7 Desember 2026 01.31 WITA"),
    ("Asia/Jayapura", "7 Desember 2026 02.31 WIT"),
])
def test_a_stored_utc_time_is_shown_in_the_chosen_zone(zone: str, shown: str) -> None:
    localtime.set_zone(zone)
    assert localtime.waktu(STORED) == shown
    assert localtime.waktu(STORED.isoformat()) == shown  # the audit trail keeps ISO text
    assert localtime.waktu(STORED.replace(tzinfo=None)) == shown  # SQLite: naive UTC


def test_wib_is_the_default_and_an_unknown_zone_says_which_work() -> None:
    assert localtime.waktu_singkat(STORED) == "2026-12-07 00.31 WIB"
    with pytest.raises(BadInputError, match="Asia/Makassar"):
        localtime.set_zone("Asia/Bandung")


def test_today_is_the_office_date(monkeypatch: pytest.MonkeyPatch) -> None:
    class Clock(datetime):
        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return STORED.astimezone(tz) if tz else STORED  # type: ignore[arg-type]

    monkeypatch.setattr(localtime, "datetime", Clock)
    assert localtime.today() == date(2026, 12, 7)  # UTC still says 6 December


def test_the_cli_prints_the_audit_trail_in_local_time(tmp_path: object,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from api.cli import cli

    monkeypatch.setenv("ARSIP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ARSIP_TIMEZONE", "Asia/Jayapura")
    runner = CliRunner()
    made = runner.invoke(cli, ["user", "add", "siti", "--role", "staf"],
                         input="sandi-yang-panjang\n")
    assert made.exit_code == 0, made.output
    listed = runner.invoke(cli, ["audit", "list"])
    assert listed.exit_code == 0 and " WIT\t" in listed.output, listed.output

"""Letter numbers (penomoran naskah dinas): formats as data, yearly counters, allocation, void, sisipan.

A number comes from the database, never from a check-then-insert: the counter row is bumped with an
UPSERT (which holds the row lock on PostgreSQL) inside the same transaction that writes the register
row, under `BEGIN IMMEDIATE` on SQLite; the register's unique `(counter, urut, sisipan)` is the last
line of defence.  A rolled-back transaction rolls back its counter bump too, so numbers never skip.
"""

from __future__ import annotations

import logging
import random
import re
import string
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from archive.crashpoints import crash_point
from archive.errors import BadInputError, ConflictError, NotFoundError, StorageError
from archive.letters import STATUS_LABELS
from archive.models import Version, utcnow
from archive.models_letters import SCOPES, Letter, LetterCounter, LetterFormat, LetterItem

log = logging.getLogger(__name__)
T = TypeVar("T")

FIELDS = frozenset({"kka", "urut", "unit", "tahun", "bulan", "romawi"})
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
DRAFT_BLANK = "      "
MAX_ATTEMPTS = 60


@dataclass(frozen=True)
class NumberFormat:
    """An office's numbering rule, e.g. `{kka}/{urut:03d}/{unit}/{tahun}` counted per unit and year."""

    pattern: str = "{kka}/{urut:03d}/{unit}/{tahun}"
    scope: str = "unit"
    unit: str = ""
    default_kka: str = ""
    sisipan_style: str = "dot"

    def __post_init__(self) -> None:
        names = [f for _, f, _, _ in string.Formatter().parse(self.pattern) if f is not None]
        unknown = set(names) - FIELDS
        if unknown or "urut" not in names:
            raise BadInputError(
                f"Pola nomor {self.pattern!r} tidak sah: gunakan {{urut}} dan hanya "
                f"{', '.join(sorted(FIELDS))} (tidak dikenal: {', '.join(sorted(unknown)) or '-'})."
            )
        if self.scope not in SCOPES:
            raise BadInputError(f"Cakupan penomoran {self.scope!r} tidak dikenal: pilih {', '.join(SCOPES)}.")
        if self.sisipan_style not in ("dot", "letter"):
            raise BadInputError("Gaya nomor sisipan harus 'dot' (015.01) atau 'letter' (15a).")

    def scope_key(self, kka: str) -> str:
        """The key the counter is kept under for a letter with classification code `kka`."""
        return {"unit": self.unit, "kka": kka, "office": ""}[self.scope]

    def render(self, *, kka: str, urut: int | None, tanggal: date, sisipan: int = 0) -> str:
        """The number as printed; `urut=None` leaves the blank a draft carries until signing."""
        values: dict[str, Any] = {
            "kka": kka, "unit": self.unit, "tahun": tanggal.year, "bulan": tanggal.month,
            "romawi": ROMAN[tanggal.month - 1],
        }
        out: list[str] = []
        for literal, name, spec, _conv in string.Formatter().parse(self.pattern):
            out.append(literal)
            if name == "urut":
                out.append(DRAFT_BLANK if urut is None else self._urut(urut, spec or "", sisipan))
            elif name is not None:
                out.append(format(values[name], spec or ""))
        return "".join(out)

    def _urut(self, urut: int, spec: str, sisipan: int) -> str:
        text = format(urut, spec)
        if not sisipan:
            return text
        if self.sisipan_style == "dot":
            return f"{text}.{sisipan:02d}"
        if sisipan > 26:
            raise ConflictError(f"Nomor {text} sudah punya 26 sisipan (a-z): gunakan gaya 'dot'.")
        return text + "abcdefghijklmnopqrstuvwxyz"[sisipan - 1]


@dataclass(frozen=True)
class ItemEntry:
    """One row of what a letter sends."""

    description: str
    quantity: int = 1
    unit: str = "berkas"
    keterangan: str = ""
    version_id: int | None = None


@dataclass(frozen=True)
class LetterEntry:
    """What the register records about a letter besides its number."""

    tanggal: date
    kka: str | None = None
    recipient: str = ""
    subject: str = ""
    items: tuple[ItemEntry, ...] = ()
    content: dict[str, Any] | None = None


@dataclass(frozen=True)
class Allocated:
    """A number handed out and the register row that holds it."""

    letter_id: int
    number: str
    urut: int
    sisipan: int
    year: int
    status: str
    scope_key: str = field(default="")


def normalise(number: str) -> str:
    """A number for matching: no spaces, upper case ('900 / UR. F / 2022' -> '900/UR.F/2022')."""
    return re.sub(r"\s+", "", number).upper()


# --- transactions ------------------------------------------------------------------------------
@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """A session in a write transaction taken up front (SQLite: BEGIN IMMEDIATE), committed on exit."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite would begin only at the first write
        else:
            conn.begin()
        with Session(bind=conn, expire_on_commit=False) as session:
            try:
                yield session
                session.flush()
            except BaseException:
                conn.rollback()
                raise
        conn.commit()


def _transient(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    if isinstance(exc, OperationalError):
        return any(s in text for s in ("database is locked", "busy", "deadlock", "could not serialize"))
    return isinstance(exc, IntegrityError) and ("unique" in text or "duplicate" in text)


def with_retry(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run `work` in a write transaction, retrying when the database is locked or a race lost."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with write_transaction(engine) as session:
                return work(session)
        except (OperationalError, IntegrityError) as e:
            if not _transient(e) or attempt == MAX_ATTEMPTS:
                raise StorageError(f"Nomor surat tidak dapat dicatat: {e.orig}. Coba lagi.") from e
            log.debug("numbering retry %d after %s", attempt, e.orig)
            time.sleep(min(0.2, 0.002 * 2 ** min(attempt, 7)) * random.random())
    raise AssertionError("unreachable")


# --- formats -----------------------------------------------------------------------------------
def set_format(engine: Engine, office: str, fmt: NumberFormat, profile: dict[str, Any] | None = None) -> None:
    """Create or replace the numbering rule (and optionally the kop/signatory profile) of `office`."""

    def work(session: Session) -> None:
        row = session.scalar(select(LetterFormat).where(LetterFormat.office == office))
        if row is None:
            row = LetterFormat(office=office)
            session.add(row)
        row.pattern, row.scope, row.unit = fmt.pattern, fmt.scope, fmt.unit
        row.default_kka, row.sisipan_style = fmt.default_kka, fmt.sisipan_style
        if profile is not None:
            row.profile = profile

    with_retry(engine, work)


def get_format(session: Session, office: str) -> NumberFormat:
    """The numbering rule of `office`; NotFoundError tells how to set one."""
    row = session.scalar(select(LetterFormat).where(LetterFormat.office == office))
    if row is None:
        raise NotFoundError(
            f"Kantor {office!r} belum punya pola nomor surat: jalankan `arsip letter format {office} --pattern ...`."
        )
    return NumberFormat(row.pattern, row.scope, row.unit, row.default_kka, row.sisipan_style)


def get_profile(session: Session, office: str) -> dict[str, Any]:
    """The stored kop/signatory profile of `office` (empty when none was set)."""
    row = session.scalar(select(LetterFormat).where(LetterFormat.office == office))
    return dict(row.profile or {}) if row is not None else {}


# --- allocation --------------------------------------------------------------------------------
def _bump_counter(session: Session, office: str, scope_key: str, year: int) -> tuple[int, int]:
    """Increment the counter of (office, scope, year), creating it at 1; returns (id, new value)."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = (
            insert(LetterCounter)
            .values(office=office, scope_key=scope_key, year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=["office", "scope_key", "year"],
                set_={"last_value": LetterCounter.last_value + 1},
            )
            .returning(LetterCounter.id, LetterCounter.last_value)
        )
        row = session.execute(stmt).one()
        return int(row[0]), int(row[1])
    counter = _locked_counter(session, office, scope_key, year, create=True)
    assert counter is not None
    counter.last_value += 1
    session.flush()
    return counter.id, counter.last_value


def _locked_counter(
    session: Session, office: str, scope_key: str, year: int, *, create: bool = False
) -> LetterCounter | None:
    q = select(LetterCounter).where(
        LetterCounter.office == office, LetterCounter.scope_key == scope_key, LetterCounter.year == year
    )
    counter = session.scalar(q.with_for_update())
    if counter is None and create:
        counter = LetterCounter(office=office, scope_key=scope_key, year=year, last_value=0)
        session.add(counter)
        session.flush()
    return counter


def _add_row(session: Session, fmt: NumberFormat, office: str, entry: LetterEntry, kka: str,
             counter_id: int, urut: int, sisipan: int, status: str) -> Letter:
    number = fmt.render(kka=kka, urut=urut, tanggal=entry.tanggal, sisipan=sisipan)
    letter = Letter(
        counter_id=counter_id, urut=urut, sisipan=sisipan, number=number, number_norm=normalise(number),
        office=office, kka=kka, unit=fmt.unit, year=entry.tanggal.year, tanggal=entry.tanggal,
        recipient=entry.recipient, subject=entry.subject, status=status, content=entry.content,
        confirmed_at=utcnow() if status == "confirmed" else None,
    )
    letter.items = [
        LetterItem(position=i, description=it.description, quantity=it.quantity, unit=it.unit,
                   keterangan=it.keterangan, version_id=it.version_id)
        for i, it in enumerate(entry.items, start=1)
    ]
    session.add(letter)
    session.flush()
    return letter


def _allocated(letter: Letter, scope_key: str) -> Allocated:
    return Allocated(letter.id, letter.number, letter.urut, letter.sisipan, letter.year, letter.status,
                     scope_key)


def _check_versions(session: Session, entry: LetterEntry) -> None:
    wanted = {i.version_id for i in entry.items if i.version_id is not None}
    if not wanted:
        return
    found = set(session.scalars(select(Version.id).where(Version.id.in_(wanted))))
    if wanted - found:
        missing = ", ".join(f"#{v}" for v in sorted(wanted - found))
        raise BadInputError(f"Versi dokumen {missing} tidak ada di arsip: periksa version_id pada isi surat.")


def _kka(fmt: NumberFormat, entry: LetterEntry) -> str:
    kka = (entry.kka or fmt.default_kka or "").strip()
    if not kka and "{kka" in fmt.pattern:
        raise BadInputError("Kode klasifikasi (KKA) surat kosong dan kantor tidak punya KKA bawaan.")
    return kka


class AlreadyIssued(ConflictError):
    """The same filled-in form was sent again: it already has its number (no new one is taken)."""

    def __init__(self, letter_id: int, number: str) -> None:
        super().__init__(f"Formulir ini sudah diberi nomor {number}; tidak ada nomor baru yang "
                         "diambil. Buka surat itu di buku agenda.")
        self.letter_id = letter_id
        self.number = number


FORM_KEY = "formulir"  # the web form's one-time token, kept in the register row's content
RECENT_FORMS = 200  # a form is sent again within minutes, long before 200 more numbers are taken


def _letter_of_form(session: Session, counter_id: int, token: str) -> Letter | None:
    """The letter an earlier sending of the same form got (among the counter's latest numbers)."""
    rows = session.scalars(select(Letter).where(Letter.counter_id == counter_id)
                           .order_by(Letter.id.desc()).limit(RECENT_FORMS))
    return next((r for r in rows if (r.content or {}).get(FORM_KEY) == token), None)


def allocate(engine: Engine, office: str, entry: LetterEntry, *, reserve: bool = False) -> Allocated:
    """Take the next number of the office's counter for `entry` and write its register row.

    With `reserve` the number is held for a draft (status `reserved`) until `confirm` at signing.
    An entry whose content carries a form token (`FORM_KEY`) already used raises `AlreadyIssued`:
    checked after the counter row is locked, so two sendings of one form never take two numbers.
    """
    token = (entry.content or {}).get(FORM_KEY)

    def work(session: Session) -> Allocated:
        fmt = get_format(session, office)
        kka = _kka(fmt, entry)
        _check_versions(session, entry)
        key = fmt.scope_key(kka)
        counter_id, urut = _bump_counter(session, office, key, entry.tanggal.year)
        if token and (earlier := _letter_of_form(session, counter_id, str(token))) is not None:
            raise AlreadyIssued(earlier.id, earlier.number)  # rolls the counter bump back
        letter = _add_row(session, fmt, office, entry, kka, counter_id, urut, 0,
                          "reserved" if reserve else "confirmed")
        crash_point("letter")
        return _allocated(letter, key)

    result = with_retry(engine, work)
    log.info("letter number %s (%s) for %s", result.number, result.status, office)
    return result


def insert_number(engine: Engine, office: str, after: int, entry: LetterEntry) -> Allocated:
    """A nomor sisipan after number `after` of the entry's year (015 -> 015.01); the counter stays."""

    def work(session: Session) -> Allocated:
        fmt = get_format(session, office)
        kka = _kka(fmt, entry)
        _check_versions(session, entry)
        key = fmt.scope_key(kka)
        counter = _locked_counter(session, office, key, entry.tanggal.year)
        if counter is None or not 0 < after <= counter.last_value:
            raise BadInputError(
                f"Nomor urut {after} belum pernah diberikan pada {entry.tanggal.year}: sisipan hanya "
                "untuk nomor yang sudah ada."
            )
        base = session.scalar(select(Letter).where(
            Letter.counter_id == counter.id, Letter.urut == after, Letter.sisipan == 0))
        if base is not None and entry.tanggal < base.tanggal:
            raise BadInputError(
                f"Tanggal sisipan {entry.tanggal} lebih awal dari surat induknya ({base.tanggal}).")
        top = session.scalar(select(func.max(Letter.sisipan)).where(
            Letter.counter_id == counter.id, Letter.urut == after)) or 0
        letter = _add_row(session, fmt, office, entry, kka, counter.id, after, top + 1, "confirmed")
        return _allocated(letter, key)

    return with_retry(engine, work)


# --- life cycle --------------------------------------------------------------------------------
def find_letter(session: Session, number: str, *, office: str | None = None,
                year: int | None = None) -> Letter:
    """The register row printed as `number` (spaces ignored); office/year narrow a repeated number."""
    q = select(Letter).where(Letter.number_norm == normalise(number))
    if office:
        q = q.where(Letter.office == office)
    if year:
        q = q.where(Letter.year == year)
    rows = list(session.scalars(q))
    if not rows:
        raise NotFoundError(f"Nomor surat {number!r} tidak ada di buku agenda.")
    if len(rows) > 1:
        raise BadInputError(f"Nomor {number!r} tercatat {len(rows)} kali: sebutkan kantor dan tahunnya.")
    return rows[0]


def confirm(engine: Engine, number: str, *, office: str | None = None, year: int | None = None,
            tanggal: date | None = None) -> Allocated:
    """Confirm a reserved number at signing (optionally with the signing date of the same year)."""

    def work(session: Session) -> Allocated:
        letter = find_letter(session, number, office=office, year=year)
        if letter.status != "reserved":
            status = STATUS_LABELS.get(letter.status, letter.status)
            raise ConflictError(f"Nomor {letter.number} berstatus {status}, bukan dipesan: hanya "
                                "nomor yang dipesan yang perlu dikonfirmasi.")
        if tanggal is not None:
            if tanggal.year != letter.year:
                raise BadInputError(f"Tanggal tanda tangan {tanggal} di luar tahun nomor {letter.year}.")
            letter.tanggal = tanggal
        letter.status, letter.confirmed_at = "confirmed", utcnow()
        return _allocated(letter, "")

    return with_retry(engine, work)


def void(engine: Engine, number: str, reason: str, *, office: str | None = None,
         year: int | None = None) -> Allocated:
    """Mark a number void with a reason; it stays in the register so there is no silent gap."""
    if not reason or not reason.strip():
        raise BadInputError("Alasan pembatalan wajib diisi (--reason).")

    def work(session: Session) -> Allocated:
        letter = find_letter(session, number, office=office, year=year)
        if letter.status == "void":
            raise ConflictError(f"Nomor {letter.number} sudah batal: {letter.void_reason}")
        letter.status, letter.void_reason, letter.voided_at = "void", reason.strip(), utcnow()
        return _allocated(letter, "")

    return with_retry(engine, work)

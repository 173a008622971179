"""The archivist's desk: every field read from a version, grouped as the document prints them,
the marked ones (low confidence, failed self-checks, warnings) flagged; corrections in place with
a reason (arsiparis, admin); the revision history; the queue "perlu diperiksa"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from api.web.auth import actor_of
from api.web.deps import MAX_ID, DbId, DbSession, State
from api.web.render import anchor_of, page
from api.wiring import correct_version
from archive import fields
from archive.errors import BadInputError
from archive.models import Version
from archive.revisions import ExtractionRevision, Review, history, machine_reading, queue, review

router = APIRouter()

TOP_LABELS = {"pemerintah": "Pemerintah", "instansi": "Instansi", "title": "Judul / nama",
              "nomor": "Nomor", "tahun": "Tahun", "tanggal": "Tanggal",
              "tanggal_pembuatan": "Tanggal pembuatan", "tanggal_revisi": "Tanggal revisi",
              "tanggal_efektif": "Tanggal efektif", "tanggal_pengesahan": "Tanggal pengesahan",
              "perihal": "Perihal / tentang", "kepada": "Kepada"}
OFFICIAL_LABELS = {"disahkan_oleh": "Disahkan oleh", "pihak_pertama": "Pihak pertama",
                   "pihak_kedua": "Pihak kedua"}
PART_LABELS = {"jabatan": "Jabatan", "nama": "Nama", "pangkat": "Pangkat", "nip": "NIP"}
LIST_LABELS = {"dasar_hukum": "Dasar hukum", "kualifikasi_pelaksana": "Kualifikasi pelaksana",
               "keterkaitan": "Keterkaitan", "peralatan": "Peralatan / perlengkapan",
               "peringatan": "Peringatan", "pencatatan": "Pencatatan dan pendataan",
               "pelaksana": "Pelaksana"}
ROW_LABELS = {
    "steps": ("Langkah", {"no": "No", "kegiatan": "Kegiatan", "pelaksana": "Pelaksana",
                          "kelengkapan": "Kelengkapan", "waktu": "Waktu", "output": "Output",
                          "keterangan": "Keterangan"}),
    "indicators": ("Indikator", {"sasaran": "Sasaran", "indikator": "Indikator",
                                 "satuan": "Satuan", "target": "Target",
                                 "target_text": "Target (teks)", "realisasi": "Realisasi",
                                 "realisasi_text": "Realisasi (teks)", "capaian": "Capaian (%)"}),
    "programs": ("Program", {"program": "Program", "anggaran": "Anggaran (Rp)",
                             "keterangan": "Keterangan"}),
}
HINTS = {"date": "TTTT-BB-HH", "year": "mis. 2024", "nip": "18 angka", "number": "mis. 95,5",
         "int": "angka", "waktu": "mis. 15 menit"}


@dataclass(frozen=True)
class FieldView:
    """One field as the desk shows it."""

    path: str
    label: str
    value: str
    marks: list[str]
    seen: str | None  # "koreksi" | "diperiksa" | None
    machine: str | None  # the machine's reading when a person changed it
    hint: str


@dataclass
class Group:
    """A part of the document as printed (identity, signatory, a list, one step or row)."""

    title: str
    fields: list[FieldView] = field(default_factory=list)
    page: int | None = None


def field_groups(extraction: dict[str, Any], machine: dict[str, Any],
                 state: Review) -> list[Group]:
    """Every field of a reading in the order the document prints them (empty ones left out
    unless marked), each with its marks and, once changed, the machine's reading."""

    def view(path: str, label: str) -> FieldView | None:
        value = fields.get_value(extraction, path)
        if value in (None, "", {}) and path not in state.marked:
            return None
        was = fields.get_value(machine, path)
        return FieldView(path, label, fields.shown(value), state.marked.get(path, []),
                         state.seen.get(path), fields.shown(was) if was != value else None,
                         HINTS.get(fields.kind_of(path), ""))

    def group(title: str, items: list[tuple[str, str]], page: int | None = None) -> None:
        shown = [v for path, label in items if (v := view(path, label)) is not None]
        if shown:
            groups.append(Group(title, shown, page))

    groups: list[Group] = []
    group("Identitas", [(k, v) for k, v in TOP_LABELS.items()])
    for key, title in OFFICIAL_LABELS.items():
        group(title, [(f"{key}.{p}", label) for p, label in PART_LABELS.items()])
    for key, title in LIST_LABELS.items():
        group(title, [(f"{key}[{i}]", str(i + 1)) for i in range(len(extraction.get(key) or ()))])
    for key, (title, labels) in ROW_LABELS.items():
        for i, row in enumerate(extraction.get(key) or ()):
            number = row.get("no") if key == "steps" and row.get("no") else i + 1
            group(f"{title} {number}", [(f"{key}[{i}].{p}", label) for p, label in labels.items()],
                  row.get("page"))
    return groups


def desk_context(session: Session, version: Version) -> dict[str, Any]:
    """What the document page shows of a version's reading: groups, warnings, history, state."""
    extraction = dict(version.extraction or {})
    state = review(session, version)
    machine = machine_reading(session, version)
    groups = field_groups(extraction, machine, state)
    shown = {f.path for g in groups for f in g.fields}
    return {"groups": groups, "review": state, "revisions": _history_rows(history(session, version.id)),
            "warnings": list(extraction.get("warnings") or ()),
            "open_marks": [p for p in state.open if p in shown]}


def _history_rows(revisions: list[ExtractionRevision]) -> list[dict[str, Any]]:
    return [{"no": r.revision_no, "at": r.at, "actor": r.actor, "reason": r.reason,
             "changes": [{**c, "old": fields.shown(c.get("old")), "new": fields.shown(c.get("new"))}
                         for c in r.changes]} for r in reversed(revisions)]


@router.post("/dokumen/{doc_id}/koreksi")
def koreksi(request: Request, state: State, session: DbSession, doc_id: DbId,
            versi: Annotated[int, Form(ge=1, le=MAX_ID)],
            kolom: Annotated[list[str], Form(max_length=200)],
            alasan: Annotated[str, Form(max_length=2000)] = "",
            nilai: Annotated[str | None, Form(max_length=20000)] = None,
            aksi: Annotated[str, Form(max_length=20)] = "koreksi") -> RedirectResponse:
    """Save a field's correct value (aksi=koreksi) or confirm marked fields as read (aksi=benar)."""
    if aksi not in ("koreksi", "benar"):
        raise BadInputError("Pilih 'Simpan koreksi' atau 'Sudah benar'.")
    session.close()  # the correction runs in a transaction of its own
    ref = f"{doc_id}:{versi}"
    if aksi == "benar":
        reason = alasan.strip() or "dicocokkan dengan dokumen: sudah benar"
        done = correct_version(state.sessions, ref, [], reason, actor_of(request),
                               state.index_document, confirm=kolom)
    else:
        if len(kolom) != 1 or nilai is None:
            raise BadInputError("Koreksi satu kolom sekali simpan: isi nilai yang benar dan "
                                "alasannya, lalu tekan Simpan koreksi.")
        done = correct_version(state.sessions, ref, [(kolom[0], nilai)], alasan,
                               actor_of(request), state.index_document)
    anchor = "hasil-baca" if len(kolom) != 1 else anchor_of(kolom[0])
    # a corrected date may move the version in the date order: follow it to its new number
    return RedirectResponse(f"/dokumen/{doc_id}?versi={done.version_no}#{anchor}", status_code=303)


@router.get("/periksa", response_class=HTMLResponse)
def periksa(request: Request, session: DbSession,
            instansi: Annotated[str | None, Query(max_length=512)] = None) -> HTMLResponse:
    """The queue "perlu diperiksa": versions with marked fields nobody looked at, oldest first."""
    from archive.revisions import offices

    items = queue(session, instansi or None)
    return page(request, "periksa.html", {"items": items, "instansi": instansi or "",
                                          "offices": offices(session)})

"""The archivist's desk: every field read from a version, grouped as the document prints them,
the marked ones (low confidence, failed self-checks, warnings) flagged; corrections in place with
a reason (arsiparis, admin); the revision history; the queue "perlu diperiksa"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from api.pages import VersionPages, field_region, version_pages
from api.web.auth import actor_of
from api.web.deps import MAX_ID, DbId, DbSession, State
from api.web.render import anchor_of, page
from api.wiring import correct_version
from archive import fields
from archive.errors import BadInputError
from archive.models import Version
from archive.revisions import (
    ExtractionRevision,
    QueueItem,
    Review,
    history,
    machine_reading,
    queue,
    review,
)
from ingest.pipeline import page_cache

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


def field_label(path: str) -> str:
    """A field's name as the desk shows it (`programs[1].program` -> "Program 2: Program",
    `disahkan_oleh.nip` -> "Disahkan oleh: NIP", `dasar_hukum[0]` -> "Dasar hukum 1")."""
    m = re.fullmatch(r"([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?", path)
    if not m:
        return path
    key, index, part = m.group(1), m.group(2), m.group(3)
    if key in TOP_LABELS and index is None and part is None:
        return TOP_LABELS[key]
    if key in OFFICIAL_LABELS and index is None:
        return f"{OFFICIAL_LABELS[key]}: {PART_LABELS.get(part or '', part or '')}".rstrip(": ")
    if key in LIST_LABELS and index is not None and part is None:
        return f"{LIST_LABELS[key]} {int(index) + 1}"
    if key in ROW_LABELS and index is not None:
        title, labels = ROW_LABELS[key]
        return f"{title} {int(index) + 1}" + (f": {labels.get(part, part)}" if part else "")
    return path


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
    crop_page: int | None = None  # the page its crop (where it was read) comes from


@dataclass
class Group:
    """A part of the document as printed (identity, signatory, a list, one step or row)."""

    title: str
    fields: list[FieldView] = field(default_factory=list)
    page: int | None = None
    row: str | None = None  # a table's row (`steps[2]`): removable as a whole
    items: bool = False  # a list: each field is an item, removable


def field_groups(extraction: dict[str, Any], machine: dict[str, Any],
                 state: Review, pages: VersionPages | None = None) -> list[Group]:
    """Every field of a reading in the order the document prints them (empty ones left out
    unless marked), each with its marks and, once changed, the machine's reading; a marked
    field with the page its crop comes from when its words are found on the page."""

    def view(path: str, label: str) -> FieldView | None:
        value = fields.get_value(extraction, path)
        if value in (None, "", {}) and path not in state.marked:
            return None
        was = fields.get_value(machine, path)
        region = field_region(pages, path, machine) if pages and path in state.marked else None
        return FieldView(path, label, fields.shown(value), state.marked.get(path, []),
                         state.seen.get(path), fields.shown(was) if was != value else None,
                         HINTS.get(fields.kind_of(path), ""), region.page if region else None)

    def group(title: str, items: list[tuple[str, str]], page: int | None = None,
              row: str | None = None, is_list: bool = False) -> None:
        shown = [v for path, label in items if (v := view(path, label)) is not None]
        if shown:
            groups.append(Group(title, shown, page, row, is_list))

    groups: list[Group] = []
    group("Identitas", [(k, v) for k, v in TOP_LABELS.items()])
    for key, title in OFFICIAL_LABELS.items():
        group(title, [(f"{key}.{p}", label) for p, label in PART_LABELS.items()])
    for key, title in LIST_LABELS.items():
        group(title, [(f"{key}[{i}]", str(i + 1)) for i in range(len(extraction.get(key) or ()))],
              is_list=True)
    for key, (title, labels) in ROW_LABELS.items():
        for i, row in enumerate(extraction.get(key) or ()):
            number = row.get("no") if key == "steps" and row.get("no") else i + 1
            group(f"{title} {number}", [(f"{key}[{i}].{p}", label) for p, label in labels.items()],
                  row.get("page"), f"{key}[{i}]")
    return groups


def desk_context(session: Session, version: Version,
                 pages: Callable[[], VersionPages | None] | None = None) -> dict[str, Any]:
    """What the document page shows of a version's reading: groups, warnings, history, state
    (with `pages`, the word boxes of its file, asked for when some field is marked: where each
    marked field was read)."""
    extraction = dict(version.extraction or {})
    state = review(session, version)
    machine = machine_reading(session, version)
    boxes = pages() if pages is not None and state.marked else None
    groups = field_groups(extraction, machine, state, boxes)
    shown = {f.path for g in groups for f in g.fields}
    return {"groups": groups, "review": state, "revisions": _history_rows(history(session, version.id)),
            "addable": addable_rows(extraction),
            "warnings": list(extraction.get("warnings") or ()),
            "open_marks": [p for p in state.open if p in shown], "field_name": field_label}


# the tables and lists a document of each type prints (rows may be added to them)
TYPE_ROWS = {"sop": ("steps", *LIST_LABELS), "lkjip": ("indicators",),
             "form_data_kinerja": ("indicators",), "keputusan": ("indicators",),
             "perjanjian_kinerja": ("indicators", "programs")}


@dataclass(frozen=True)
class Addable:
    """A table or list a row may be added to: its name, title, size and the row's fields."""

    root: str
    title: str
    count: int
    fields: list[tuple[str, str, bool, str]]  # leaf, label, required, hint


def addable_rows(extraction: dict[str, Any]) -> list[Addable]:
    """The tables and lists of this reading a person may add a row to (those of its type and
    any it already has)."""
    roots = [r for r in (*ROW_LABELS, *LIST_LABELS)
             if r in TYPE_ROWS.get(str(extraction.get("doc_type")), ()) or extraction.get(r)]
    out = []
    for root in roots:
        if root in ROW_LABELS:
            title, labels = ROW_LABELS[root]
            kinds = fields.ROWS[root]
            leaves = [(leaf, label, kinds[leaf] == "required", HINTS.get(kinds[leaf], ""))
                      for leaf, label in labels.items() if leaf not in fields.TEXT_TWIN.values()]
        else:
            title, leaves = LIST_LABELS[root], []
        out.append(Addable(root, title, len(extraction.get(root) or ()), leaves))
    return out


def _history_rows(revisions: list[ExtractionRevision]) -> list[dict[str, Any]]:
    return [{"no": r.revision_no, "at": r.at, "actor": r.actor, "reason": r.reason,
             "changes": [{**c, "old": shown_value(c.get("old")), "new": shown_value(c.get("new"))}
                         for c in r.changes]} for r in reversed(revisions)]


def shown_value(value: Any) -> str:
    """A value of the history as a person reads it; a whole row as its filled fields."""
    if isinstance(value, dict) and "text" not in value:
        return " · ".join(fields.shown(v) for k, v in value.items()
                          if k not in ("page", "target_triwulan") and v not in (None, "", []))
    return fields.shown(value)


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


def _form_text(form: Any, name: str, limit: int = 20000) -> str:
    value = form.get(name)
    if value is not None and not isinstance(value, str):
        raise BadInputError(f"Isian {name} harus berupa teks.")
    if value is not None and len(value) > limit:
        raise BadInputError(f"Isian {name} terlalu panjang (paling banyak {limit} huruf).")
    return value or ""


@router.post("/dokumen/{doc_id}/baris")
async def baris(request: Request, state: State, doc_id: DbId) -> RedirectResponse:
    """Add a row to a table or list (aksi=tambah: `daftar`, `posisi` from 1, `isi.<kolom>` or
    `isi`) or remove one (aksi=hapus: `baris`, e.g. `steps[2]`), with a reason: one revision."""
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    aksi, alasan = _form_text(form, "aksi", 20), _form_text(form, "alasan", 2000)
    try:
        versi = int(_form_text(form, "versi", 12))
    except ValueError:
        raise BadInputError("Versi tidak dikenal; buka lagi halaman dokumennya.") from None
    assignments: list[tuple[str, str]] = []
    if aksi == "hapus":
        path = _form_text(form, "baris", 200)
        fields.row_path(path)
        add, remove, anchor = [], [path], "hasil-baca"
    elif aksi == "tambah":
        root = _form_text(form, "daftar", 40)
        try:
            index = int(_form_text(form, "posisi", 6) or "0") - 1
        except ValueError:
            raise BadInputError("Posisi baris baru harus angka, mis. 3.") from None
        path = f"{root}[{max(index, 0)}]"
        fields.row_path(path)
        if root in fields.ROWS:
            assignments = [(f"{path}.{leaf}", text) for leaf in fields.ROWS[root]
                           if (text := _form_text(form, f"isi.{leaf}").strip())]
        else:
            assignments = [(path, _form_text(form, "isi"))]
        add, remove = [path], []
        anchor = anchor_of(f"{path}.{next(iter(fields.ROWS[root]))}" if root in fields.ROWS
                           else path)
    else:
        raise BadInputError("Pilih 'Tambah baris' atau 'Hapus baris'.")
    await run_in_threadpool(correct_version, state.sessions, f"{doc_id}:{versi}", assignments,
                            alasan, actor_of(request), state.index_document, add=add,
                            remove=remove)
    return RedirectResponse(f"/dokumen/{doc_id}?versi={versi}#{anchor}", status_code=303)


@router.get("/periksa", response_class=HTMLResponse)
def periksa(request: Request, session: DbSession, state: State,
            instansi: Annotated[str | None, Query(max_length=512)] = None) -> HTMLResponse:
    """The queue "perlu diperiksa": versions with marked fields nobody looked at, oldest first."""
    from archive.revisions import offices

    items = queue(session, instansi or None)
    cache = page_cache(state.store)
    crops = {i.version.id: queue_crops(i, version_pages(i.version, state.store, cache, rebuild=False),
                                       machine_reading(session, i.version)) for i in items}
    return page(request, "periksa.html", {"items": items, "instansi": instansi or "",
                                          "offices": offices(session), "crops": crops,
                                          "field_name": field_label})


QUEUE_CROPS = 2  # crops shown per version in the queue


def queue_crops(item: QueueItem, pages: VersionPages | None,
                machine: dict[str, Any]) -> list[tuple[str, int]]:
    """The first open marked fields of a queued version whose crop can be shown: (path, page).
    Only word boxes already kept are used: the queue never reads files."""
    out: list[tuple[str, int]] = []
    for path in item.open if pages is not None else ():
        region = field_region(pages, path, machine) if pages is not None else None
        if region is not None:
            out.append((path, region.page))
        if len(out) == QUEUE_CROPS:
            break
    return out

"""SOP parser: the identity page (number, dates, signatory, title, the six lists) and the
flowchart table (actors, steps, each step's actor from the column of its drawn symbol).

Reads only the neutral page model (`ingest.layout`), so the same code serves text-layer pages
and, later, OCR pages.
"""

from __future__ import annotations

import logging
import re

from ingest.layout import DocumentContent
from ingest.model import FAILED_CHECK, Extraction, Official
from ingest.nip import problem as nip_problem
from ingest.parsers._sop_flow import read_flowchart
from ingest.parsers._sop_identity import clean_title, nomor_doubts, read_identity
from ingest.parsers.handwritten import resolve as resolve_handwritten

log = logging.getLogger(__name__)

_REQUIRED = ("nomor", "title", "instansi", "tanggal_pembuatan")


def parse(doc: DocumentContent) -> Extraction:
    """Read an SOP from its pages into an `Extraction` (warnings name what could not be read)."""
    flow = read_flowchart(doc)
    ident = read_identity(doc, skip=flow.tables, regions=flow.regions)
    v = ident.values
    # hand-written values the scan read again (`ingest.scan_handwriting`): kept when checked
    handwritten = resolve_handwritten(doc, v, ident.warnings)
    from_line = not v.get("title")
    if from_line:
        v["title"] = title_line(doc)
        if v["title"]:
            ident.warnings.append("title: label Nama SOP tidak terbaca; judul diambil dari baris judul "
                                  "'SOP ...' pada halaman, periksa")
    warnings = [f"{name}: tidak ditemukan" for name in _REQUIRED
                if not v.get(name) and not any(w.startswith(f"{name}:") for w in ident.warnings)]
    if ident.disahkan_oleh is None:
        warnings.append("disahkan_oleh: tidak ditemukan")
    elif not ident.disahkan_oleh.nama:
        warnings.append("disahkan_oleh: nama penandatangan tidak ditemukan; periksa halaman identitas")
    if not flow.steps:
        warnings.append("steps: tabel bagan alir tidak ditemukan")
    checks = doubts(v, ident.disahkan_oleh)
    warnings += [f"{name}: {why}" for name, why in checks]
    caps = {name: FAILED_CHECK for name, _ in checks}
    if nomor_doubts(v.get("nomor")) and "nomor" not in handwritten:  # letters and digits mixed (warned)
        caps["nomor"] = FAILED_CHECK
    caps.update({name: conf for name, conf in handwritten.items() if name not in caps})
    if from_line and v.get("title"):  # taken from a title line, not from its label (warned above)
        caps["title"] = FAILED_CHECK
    lists = ident.lists
    return Extraction(
        doc_type="sop",
        pemerintah=v.get("pemerintah"),
        instansi=v.get("instansi"),
        title=v.get("title"),
        nomor=v.get("nomor"),
        tanggal_pembuatan=v.get("tanggal_pembuatan"),
        tanggal_revisi=v.get("tanggal_revisi"),
        tanggal_efektif=v.get("tanggal_efektif"),
        tahun=sop_year(v),
        disahkan_oleh=ident.disahkan_oleh,
        pelaksana=flow.pelaksana,
        steps=flow.steps,
        warnings=tuple(warnings + ident.warnings + list(flow.warnings)),
        dasar_hukum=lists.get("dasar_hukum", ()),
        kualifikasi_pelaksana=lists.get("kualifikasi_pelaksana", ()),
        keterkaitan=lists.get("keterkaitan", ()),
        peralatan=lists.get("peralatan", ()),
        peringatan=lists.get("peringatan", ()),
        pencatatan=lists.get("pencatatan", ()),
        confidence=caps,
    )


_TITLE_LINE = re.compile(r"^\s*(?:sop|standar(?:t)?\s+operasional\s+prosedur)\s*[:\-]?\s+(?P<title>[^\W\d].{5,})$",
                         re.I)
_NOT_TITLE = re.compile(r"^(nomor|no\b|tanggal|tgl|disahkan|nama\s+sop|judul|dasar|kualifikasi|"
                        r"(uraian\s+)?kegiatan|pelaksana|mutu|\()", re.I)


def title_line(doc: DocumentContent) -> str | None:
    """The SOP's name from a title line printed on its pages ('SOP PELAYANAN PEMINJAMAN ARSIP'
    above the flowchart, 'STANDAR OPERASIONAL PROSEDUR PELAYANAN ...'), for a Nama SOP label
    that could not be read (a stamp over it) or a flowchart without an identity page."""
    for page in doc.pages:
        for line in page.text.splitlines():
            m = _TITLE_LINE.match(line)
            if m and not _NOT_TITLE.match(m.group("title")):
                return clean_title(m.group("title"))
    return None


_DATES = ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif")


def self_checks(values: dict[str, str | None], official: Official | None) -> list[str]:
    """Warnings for readings that cannot all be right (see `doubts`)."""
    return [f"{name}: {why}" for name, why in doubts(values, official)]


def doubts(values: dict[str, str | None], official: Official | None) -> list[tuple[str, str]]:
    """(field, why) for readings that cannot all be right: dates out of order (made <= revised
    <= effective) and a NIP whose structure is broken.  Nothing is changed: the reader checks;
    `parse` caps the field's confidence and warns."""
    out = []
    dated = [(name, values.get(name)) for name in _DATES if values.get(name)]
    for (a, da), (b, db) in zip(dated, dated[1:], strict=False):
        if da and db and da > db:
            out.append((b, f"{db} lebih awal dari {a} {da}; periksa kedua tanggal pada dokumen"))
    if official is not None and official.nip:
        problem = nip_problem(official.nip)
        if problem:
            out.append(("disahkan_oleh.nip",
                        f"{official.nip} tidak sesuai susunan NIP ({problem}); periksa pada dokumen"))
    return out


def sop_year(values: dict[str, str | None]) -> int | None:
    """The SOP's year: that of its effective date, else of the date it was made."""
    date = values.get("tanggal_efektif") or values.get("tanggal_pembuatan")
    return int(date[:4]) if date else None

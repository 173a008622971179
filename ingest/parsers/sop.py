"""SOP parser: the identity page (number, dates, signatory, title, the six lists) and the
flowchart table (actors, steps, each step's actor from the column of its drawn symbol).

Reads only the neutral page model (`ingest.layout`), so the same code serves text-layer pages
and, later, OCR pages.
"""

from __future__ import annotations

import logging

from ingest.layout import DocumentContent
from ingest.model import Extraction
from ingest.parsers._sop_flow import read_flowchart
from ingest.parsers._sop_identity import read_identity

log = logging.getLogger(__name__)

_REQUIRED = ("nomor", "title", "instansi", "tanggal_pembuatan")


def parse(doc: DocumentContent) -> Extraction:
    """Read an SOP from its pages into an `Extraction` (warnings name what could not be read)."""
    flow = read_flowchart(doc)
    ident = read_identity(doc, skip=flow.tables)
    v = ident.values
    warnings = [f"{name}: tidak ditemukan" for name in _REQUIRED if not v.get(name)]
    if ident.disahkan_oleh is None:
        warnings.append("disahkan_oleh: tidak ditemukan")
    elif not ident.disahkan_oleh.nama:
        warnings.append("disahkan_oleh: nama penandatangan tidak ditemukan; periksa halaman identitas")
    if not flow.steps:
        warnings.append("steps: tabel bagan alir tidak ditemukan")
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
    )

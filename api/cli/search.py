"""`arsip search`, `arsip indikator`, `arsip reindex`, `arsip check`: search and index upkeep."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# shared with the web app (api/wiring.py); `index_updater` and `search_options` imported from here too
from api.wiring import index_updater, open_archive, open_search_service, search_options

__all__ = ["index_updater", "search_options"]

if TYPE_CHECKING:
    from search.records import IndicatorResults, SearchQuery, SearchResults
    from search.service import SearchService


# time limit, or PostgreSQL's cap on ranked candidates (search.records.SearchResults.partial)
PARTIAL_NOTE = ("(hasil sebagian: tidak semua yang cocok sempat diurutkan; "
                "persempit kueri atau tambahkan filter)")


def register(cli: click.Group) -> None:
    """Add the commands to the group."""
    for command in (search, indikator, reindex, check):
        cli.add_command(command)


def open_service(*, rebuild: bool = True) -> SearchService:
    """The archive's search service (rebuilding an outdated index first unless told not to)."""
    from api.settings import Settings

    settings = Settings()
    return open_search_service(settings, open_archive(settings), rebuild=rebuild)


def update_search_index(*doc_ids: int) -> None:
    """After a correction (move, split, revoke): re-read these documents into the search index."""
    from api.settings import Settings

    settings = Settings()
    service = open_search_service(settings, open_archive(settings))
    try:
        for doc_id in dict.fromkeys(doc_ids):
            service.update_after_ingest(doc_id)
    finally:
        service.close()


def _filters(f: Any) -> Any:
    return click.option("--type", "doc_type", help="Jenis dokumen: sop, lkjip, perjanjian_kinerja, ...")(
        click.option("--instansi", help="Kata dari nama instansi, mis. 'kesehatan'.")(
            click.option("--tahun", type=int, help="Tahun dokumen.")(
                click.option("--riwayat", "history", is_flag=True,
                             help="Sertakan versi yang sudah digantikan atau dicabut.")(
                    click.option("--limit", default=20, show_default=True)(
                        click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")(f))))))


def _query(text: str, doc_type: str | None, instansi: str | None, tahun: int | None, history: bool,
           limit: int) -> SearchQuery:
    from search.records import SearchQuery

    return SearchQuery(text, doc_type=doc_type, instansi=instansi, tahun=tahun, history=history,
                       limit=limit)


@click.command()
@click.argument("query")
@_filters
def search(query: str, doc_type: str | None, instansi: str | None, tahun: int | None, history: bool,
           limit: int, as_json: bool) -> None:
    """Cari dokumen: kata, "frasa", -kecuali; hanya versi yang berlaku kecuali --riwayat."""
    service = open_service()
    try:
        result = service.search(_query(query, doc_type, instansi, tahun, history, limit))
    finally:
        service.close()
    if as_json:
        json.dump(_search_json(result), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
        return
    _print_hits(result)


def _search_json(result: SearchResults) -> dict[str, Any]:
    hits = []
    for h in result.hits:
        d = asdict(h)
        d["highlights"] = [{"page": x.page, "text": x.text, "marks": x.marks,
                            "markup": x.markup("[", "]", escape=False)} for x in h.highlights]
        hits.append(d)
    return {"hits": hits, "partial": result.partial, "fuzzy": result.fuzzy,
            "expansions": result.expansions}


def _print_hits(result: SearchResults) -> None:
    if result.fuzzy:
        click.echo("(tidak banyak hasil persis: termasuk kata yang mirip, mis. salah baca OCR)")
    for h in result.hits:
        state = "" if h.in_force else f" [{h.status}]"
        click.echo(f"#{h.doc_id} v{h.version_no} hlm {h.page}  {h.doc_type}  {h.title or '-'}{state}")
        click.echo(f"    {h.nomor or ''}  {h.instansi or ''}  {h.tahun or ''}".rstrip())
        for x in h.highlights:
            click.echo(f"    hlm {x.page}: …{x.markup('[', ']', escape=False)}…")
    if not result.hits:
        click.echo("Tidak ada hasil.")
    if result.partial:
        click.echo(PARTIAL_NOTE)


@click.command()
@click.argument("query")
@_filters
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Simpan baris indikator sebagai CSV ('-' untuk stdout).")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Simpan baris indikator sebagai XLSX.")
def indikator(query: str, doc_type: str | None, instansi: str | None, tahun: int | None, history: bool,
              limit: int, as_json: bool, csv_path: Path | None, xlsx_path: Path | None) -> None:
    """Cari baris pengukuran kinerja (indikator, sasaran, target, realisasi, capaian)."""
    from search.export import indicator_rows, write_csv, write_xlsx

    service = open_service()
    try:
        result = service.search_indicators(_query(query, doc_type, instansi, tahun, history, limit))
    finally:
        service.close()
    from api.settings import Settings

    base_url = Settings().verify_base_url  # links only to a public address that is set
    if csv_path:
        if str(csv_path) == "-":
            write_csv(result.hits, sys.stdout, base_url, bom=False)
            return
        with csv_path.open("w", newline="", encoding="utf-8") as fh:
            n = write_csv(result.hits, fh, base_url)
        click.echo(f"{n} baris -> {csv_path}", err=True)
    if xlsx_path:
        click.echo(f"{write_xlsx(result.hits, xlsx_path, base_url)} baris -> {xlsx_path}", err=True)
    if as_json:
        out = {"rows": indicator_rows(result.hits), "partial": result.partial, "fuzzy": result.fuzzy}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif not (csv_path or xlsx_path):
        _print_indicators(result)


def _print_indicators(result: IndicatorResults) -> None:
    for h in result.hits:
        r = h.row
        click.echo(f"{h.instansi or '-'} {h.tahun or ''}: {r.indikator} | target {r.target_text or r.target} "
                   f"{r.satuan or ''} | realisasi {r.realisasi_text or r.realisasi} | capaian {r.capaian} "
                   f"(#{h.doc_id} hlm {r.page})")
    if not result.hits:
        click.echo("Tidak ada hasil.")
    if result.partial:
        click.echo(PARTIAL_NOTE)


@click.command()
def reindex() -> None:
    """Bangun ulang indeks pencarian dari basis data arsip."""
    service = open_service(rebuild=False)
    try:
        n = service.reindex()
    finally:
        service.close()
    click.echo(f"indeks dibangun ulang ({service.engine.name}): {n} entri")


@click.command()
@click.option("--quick", is_flag=True,
              help="Periksa ukuran berkas saja (cepat), bukan SHA-256 seluruh isinya.")
@click.option("--repair", "repair", type=click.Path(path_type=Path), default=None, metavar="CADANGAN",
              help="Pulihkan berkas yang hilang atau rusak dari folder cadangan ini (hasil `arsip backup`).")
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def check(quick: bool, repair: Path | None, as_json: bool) -> None:
    """Periksa penyimpanan berkas (SHA-256 setiap berkas terhadap nama dan barisnya), basis data dan
    indeks pencarian; keluar 1 bila masih ada yang tidak cocok."""
    from api.settings import Settings
    from archive.integrity import check_store, repair_from
    from archive.store import FileStore

    settings = Settings()
    store = FileStore(settings.files_dir)
    service = open_service()  # catches a lagging index up first, as every command does
    try:
        with service.sessions() as session:
            files = check_store(session, store, quick=quick)
        if repair is not None and files.problems:
            repair_from(files, store, repair)
        index = service.check(store.iter_hashes(), store.exists)
    finally:
        service.close()
    ok = files.ok and not (index.versions_not_indexed or index.entries_without_version
                           or index.index_schema_outdated)
    if as_json:
        click.echo(json.dumps({"store": {**asdict(files), "ok": files.ok}, "index": asdict(index),
                               "ok": ok}, indent=1, default=str))
    else:
        for line in _check_lines(files, index, repair):
            click.echo(line)
    if not ok:
        sys.exit(1)


def _check_lines(files: Any, index: Any, repair: Path | None) -> Any:
    how = "ukurannya saja (--quick)" if files.quick else "SHA-256 seluruh isinya"
    yield f"diperiksa: {files.checked} berkas tercatat, {how}"
    for sha in files.repaired:
        yield f"dipulihkan dari {repair}: {sha}"
    fix = (f"berkas ini tidak ada di cadangan {repair}; pakai cadangan yang lebih lama"
           if repair else "pulihkan dari cadangan: `arsip check --repair FOLDER_CADANGAN`")
    for p in files.problems:
        yield (f"{p.problem.upper()}: {p.sha256} ({_role(p.role)}, versi {p.version_no} dari "
               f"#{p.document_id}): {p.detail}; {fix}")
    for sha in files.unreferenced:
        yield (f"TIDAK TERCATAT: {sha}: berkas ini di penyimpanan tanpa baris basis data (sisa "
               "pengarsipan yang terputus); arsipkan ulang berkas aslinya dengan `arsip ingest`")
    if index.versions_not_indexed or index.entries_without_version or index.index_schema_outdated:
        yield (f"indeks pencarian tidak cocok (versi belum terindeks: {index.versions_not_indexed}, "
               f"entri tanpa versi: {index.entries_without_version}); jalankan `arsip reindex`")
    if files.ok and not (index.versions_not_indexed or index.entries_without_version
                         or index.index_schema_outdated):
        yield "semua cocok"


def _role(role: str) -> str:
    from api.cli.ingest import role_label

    return role_label(role)

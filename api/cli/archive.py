"""Archive commands: versions (timeline, in force, diff), copy, verify, retention, corrections."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from api.cli.ingest import open_archive, role_label

# shared with the web app (api/wiring.py); imported from here too
from api.wiring import VERSION_HELP, cli_actor, resolve_version
from archive.errors import NotFoundError
from archive.localtime import today as local_today
from archive.localtime import waktu_singkat

__all__ = ["VERSION_HELP", "resolve_version"]

if TYPE_CHECKING:
    from archive.models import Version
    from archive.retention import RetentionItem
    from archive.timeline import TimelineEntry


def register(cli: click.Group) -> None:
    """Add the commands to the group."""
    for command in (versions, copy, verify, retention, move_version, split_version, revoke,
                    correct, reextract):
        cli.add_command(command)


def _session_factory() -> Any:
    from api.settings import Settings

    return open_archive(Settings())


def _echo_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


# --- versions ------------------------------------------------------------------------------------
@click.command()
@click.argument("document_id", type=int)
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Tampilkan versi yang berlaku pada tanggal ini (TTTT-BB-HH).")
@click.option("--diff", "diff", type=(int, int), default=None, metavar="A B",
              help="Tampilkan perubahan dari versi nomor A ke versi nomor B.")
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def versions(document_id: int, on: Any, diff: tuple[int, int] | None, as_json: bool) -> None:
    """Riwayat versi dokumen, bernomor menurut tanggal berlakunya (efektif, else pengesahan,
    revisi, pembuatan; tanpa tanggal di akhir), dengan urutan unggah, keadaan, dan alasannya."""
    from archive.timeline import (
        diff_versions,
        format_diff,
        in_force_summary,
        timeline,
        version_in_force,
    )

    with _session_factory()() as session:
        entries = timeline(session, document_id)
        if on is not None:
            found = version_in_force(entries[0].version.document, on.date()) if entries else None
            _say_in_force(document_id, on.date(), found, as_json)
            return
        if diff is not None:
            by_no = {e.version.version_no: e.version for e in entries}
            missing = [n for n in diff if n not in by_no]
            if missing:
                raise NotFoundError(f"Dokumen #{document_id} tidak punya versi {missing[0]}; "
                                    f"`arsip versions {document_id}` menampilkan versinya.")
            for line in format_diff(diff_versions(by_no[diff[0]], by_no[diff[1]])):
                click.echo(line)
            return
        if as_json:
            _echo_json([e.as_json() for e in entries])
            return
        today = local_today()
        in_force = version_in_force(entries[0].version.document, today) if entries else None
        click.echo(f"berlaku hari ini: {in_force_summary(entries, in_force, today)}")
        for line in _timeline_lines(entries):
            click.echo(line)


def _say_in_force(document_id: int, on: date, version: Version | None, as_json: bool) -> None:
    if as_json:
        _echo_json({"document_id": document_id, "on": on.isoformat(),
                    "version_id": version.id if version else None,
                    "version_no": version.version_no if version else None})
    elif version is None:
        click.echo(f"tidak ada versi #{document_id} yang berlaku pada {on.isoformat()}")
    else:
        click.echo(f"berlaku pada {on.isoformat()}: versi {version.version_no} "
                   f"(id {version.id}) dari #{document_id}")


def _timeline_lines(entries: list[TimelineEntry]) -> Iterator[str]:
    for e in entries:
        v = e.version
        period = f"{_d(e.start)} .. {_d(e.end) if e.end else ''}" if e.start else "tanpa tanggal"
        label = e.standing.label if e.standing else v.status
        yield f"versi {v.version_no} (id {v.id}, unggahan ke-{e.upload_no}) [{label}] {period}"
        if e.standing:
            yield f"    {e.standing.text}"
        dates = ", ".join(f"{n.removeprefix('tanggal_')} {getattr(v, n)}" for n in
                          ("tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif",
                           "tanggal_pengesahan", "tanggal_dicabut") if getattr(v, n))
        if dates:
            yield f"    {dates}"
        yield (f"    {v.source_filename or '-'}, diunggah {waktu_singkat(v.uploaded_at)} "
               f"oleh {v.uploader or '-'}")
        for f in v.files:
            scan = ", pindaian" if f.scanned else ""
            yield f"    {role_label(f.role)}: {f.sha256[:12]}… ({f.pages or '?'} hlm{scan})"
        for reason in e.reasons:
            yield f"    alasan: {reason}"


def _d(value: Any) -> str:
    return value.isoformat()[:10] if value else "-"


# --- copy and verify -----------------------------------------------------------------------------
@click.command(epilog=VERSION_HELP)
@click.argument("version_ref", metavar="VERSION")
@click.option("--for", "issued_for", default=None, help="Untuk siapa salinan ini.")
@click.option("--purpose", default=None, help="Keperluan salinan ini.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tulis juga PDF salinan ke sini.")
@click.option("--file", "file_sha", default=None,
              help="Salin berkas tertentu dari versi itu (awalan hash SHA-256-nya).")
@click.option("--by", "issued_by", default=None,
              help="Petugas yang menerbitkan (bawaan: nama login Anda).")
@click.option("--jabatan", default=None,
              help="Jabatan pejabat yang mengesahkan (bawaan: ARSIP_CERTIFIER_JABATAN).")
@click.option("--nama", default=None, help="Nama pejabat itu (bawaan: ARSIP_CERTIFIER_NAMA).")
@click.option("--nip", default=None, help="NIP pejabat itu (bawaan: ARSIP_CERTIFIER_NIP).")
@click.option("--as", "account", default=None, metavar="AKUN",
              help="Disahkan dengan profil pejabat akun ini (`arsip user profile`), bukan pengaturan.")
def copy(version_ref: str, issued_for: str | None, purpose: str | None, out: Path | None,
         file_sha: str | None, issued_by: str | None, jabatan: str | None, nama: str | None,
         nip: str | None, account: str | None) -> None:
    """Terbitkan salinan bercap (SALINAN) dari sebuah versi; berkas aslinya tidak diubah."""
    from api.cli.ingest import _login
    from api.settings import Settings
    from api.wiring import CopyOrder, issue_stamped_copy
    from archive.store import FileStore

    settings = Settings()
    store = FileStore(settings.files_dir)
    sessions = open_archive(settings)
    if account:
        from archive.accounts import get_user

        with sessions() as session:
            user = get_user(session, account)
            jabatan, nama, nip, account = user.jabatan, user.nama, user.nip, user.name
    order = CopyOrder(version_ref, issued_by or _login(), issued_for, purpose, file_sha,
                      jabatan, nama, nip, account=account)
    made = issue_stamped_copy(settings, sessions, store, order)
    issued = made.issued
    if out is not None:
        out.write_bytes(store.read(issued.sha256))
    click.echo(f"salinan {issued.code} (versi {made.version_no} dari #{made.document_id}): "
               f"{issued.pages} halaman, SHA-256 {issued.sha256}")
    click.echo(f"periksa keabsahannya di {issued.url}")
    if issued.on_added_page:
        click.echo("pengesahan diletakkan di halaman tambahan: halaman terakhir aslinya tidak "
                   "punya tempat kosong")
    from api.wiring import is_local_address

    if is_local_address(issued.url):
        click.echo(f"peringatan: kode QR salinan ini menunjuk ke {issued.url}, yang hanya dapat "
                   "dibuka di server ini; isi ARSIP_VERIFY_BASE_URL dengan alamat publik aplikasi "
                   "web, lalu terbitkan salinan lagi.", err=True)
    click.echo(f"ditulis ke {out}" if out else f"disimpan sebagai {issued.storage_path}")


@click.command()
@click.argument("file_or_code")
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def verify(file_or_code: str, as_json: bool) -> None:
    """Periksa keabsahan berkas (asli atau salinan dari arsip ini) atau kode verifikasi."""
    from dataclasses import asdict

    from archive.verify import verify_code, verify_file

    path = Path(file_or_code)
    with _session_factory()() as session:
        verdict = verify_file(session, path) if path.is_file() else verify_code(session,
                                                                                 file_or_code)
    if as_json:
        _echo_json(asdict(verdict))
    else:
        click.echo(verdict.message)
    if not verdict.ok:
        sys.exit(1)


# --- retention -----------------------------------------------------------------------------------
@click.command()
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Tanggal penilaian (bawaan: hari ini).")
@click.option("--all", "show_all", is_flag=True,
              help="Tampilkan semua versi, bukan hanya yang sudah jatuh tempo.")
@click.option("--set", "set_type", default=None, metavar="DOC_TYPE",
              help="Ubah aturan retensi suatu jenis dokumen (dengan --kka/--active/--inactive/"
                   "--fate).")
@click.option("--kka", default=None, help="Kode klasifikasi arsip (KKA) untuk --set.")
@click.option("--active", type=int, default=None, help="Retensi aktif (tahun) untuk --set.")
@click.option("--inactive", type=int, default=None, help="Retensi inaktif (tahun) untuk --set.")
@click.option("--fate", type=click.Choice(["permanen", "musnah"]), default=None,
              help="Nasib akhir untuk --set.")
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def retention(on: Any, show_all: bool, set_type: str | None, kka: str | None,
              active: int | None, inactive: int | None, fate: str | None, as_json: bool) -> None:
    """Jadwal retensi arsip (KKA, masa simpan, nasib akhir) dan arsip yang sudah jatuh tempo."""
    from archive.retention import due, rules, schedule, set_rule

    day = on.date() if on else local_today()
    with _session_factory().begin() as session:
        if set_type:
            set_rule(session, set_type, kka=kka, active_years=active, inactive_years=inactive,
                     final_fate=fate)
            audit_record(session, cli_actor(), "retention.set", f"retention:{set_type}", None,
                   {"kka": kka, "active": active, "inactive": inactive, "fate": fate})
        schedule_rules = rules(session)
        items = schedule(session, day)
        listed = items if show_all else due(items)
        if as_json:
            _echo_json({"on": day.isoformat(), "rules": [_rule_json(r) for r in schedule_rules],
                        "items": [_item_json(i) for i in listed]})
            return
        for r in schedule_rules:
            click.echo(f"{r.kka:<12} {r.doc_type:<20} {r.active_years}+{r.inactive_years} th "
                       f"{r.final_fate:<9} {r.description or ''}")
    what = "semua versi" if show_all else "jatuh tempo"
    click.echo(f"{what} per {day.isoformat()}: {len(listed)}")
    for line in _item_lines(listed):
        click.echo(line)


_ACTIONS = {"inaktif": "tinjau: pindahkan ke arsip inaktif", "musnah": "waktunya dimusnahkan",
            "permanen": "serahkan ke lembaga kearsipan daerah (permanen)", "aktif": "aktif",
            "tanpa_aturan": "belum ada aturan retensi untuk jenis ini: `arsip retention --set`"}


def _item_lines(items: list[RetentionItem]) -> Iterator[str]:
    for i in items:
        yield (f"  #{i.document_id} versi {i.version_no} (id {i.version_id}) {i.doc_type} "
               f"{i.kka or '-'} \"{i.title or ''}\": {_ACTIONS[i.stage]} "
               f"(dihitung sejak {_d(i.clock_start)}, aktif sampai {_d(i.active_until)}, "
               f"inaktif sampai {_d(i.inactive_until)})")


def _rule_json(rule: Any) -> dict[str, Any]:
    return {"doc_type": rule.doc_type, "kka": rule.kka, "description": rule.description,
            "active_years": rule.active_years, "inactive_years": rule.inactive_years,
            "final_fate": rule.final_fate}


def _item_json(item: RetentionItem) -> dict[str, Any]:
    return {"document_id": item.document_id, "version_id": item.version_id,
            "version_no": item.version_no, "doc_type": item.doc_type, "title": item.title,
            "kka": item.kka, "stage": item.stage, "clock_start": _iso(item.clock_start),
            "active_until": _iso(item.active_until), "inactive_until": _iso(item.inactive_until)}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- corrections ---------------------------------------------------------------------------------
@click.command("move-version", epilog=VERSION_HELP)
@click.argument("version_ref", metavar="VERSION")
@click.argument("document_id", type=int)
@click.option("--reason", required=True, help="Alasannya (dicatat dalam log).")
def move_version(version_ref: str, document_id: int, reason: str) -> None:
    """Pindahkan sebuah versi ke dokumen lain (bila aturan identitas salah menebak)."""
    _regroup("move", version_ref, reason, document_id=document_id)


@click.command("split-version", epilog=VERSION_HELP)
@click.argument("version_ref", metavar="VERSION")
@click.option("--reason", required=True, help="Alasannya (dicatat dalam log).")
def split_version(version_ref: str, reason: str) -> None:
    """Pisahkan sebuah versi menjadi dokumen baru tersendiri."""
    _regroup("split", version_ref, reason)


@click.command(epilog=VERSION_HELP)
@click.argument("version_ref", metavar="VERSION")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), required=True,
              help="Tanggal pertama versi itu tidak berlaku lagi (TTTT-BB-HH).")
@click.option("--reason", required=True, help="Alasannya (dicatat dalam log).")
def revoke(version_ref: str, on: Any, reason: str) -> None:
    """Tandai sebuah versi dicabut mulai suatu tanggal."""
    _regroup("revoke", version_ref, reason, on=on.date())


def _regroup(action: str, version_ref: str, reason: str, **kwargs: Any) -> None:
    """Move, split or revoke with the code the web's forms run (api/wiring.py)."""
    from api.settings import Settings
    from api.wiring import index_updater, regroup_version

    settings = Settings()
    sessions = open_archive(settings)
    done = regroup_version(sessions, action, version_ref, reason, cli_actor(),
                           index_updater(settings, sessions), **kwargs)
    click.echo(done.message)
    if done.index_warning:
        click.echo(f"peringatan: {done.index_warning}", err=True)


def audit_record(*args: Any, **kwargs: Any) -> None:
    """`archive.audit.record`, imported when a command changes something (start-up stays light)."""
    from archive.audit import record

    record(*args, **kwargs)


CORRECT_HELP = (f"{VERSION_HELP} KOLOM: nomor, title, instansi, tahun, tanggal_efektif (TTTT-BB-HH), "
                "disahkan_oleh.nip, dasar_hukum[0], steps[2].kegiatan, indicators[0].target, ... "
                "(baris dihitung dari 0; nilai kosong mengosongkan kolom). Baris: --remove "
                "dihitung pada hasil baca sebelum disimpan, --add sesudah penghapusan; baris baru "
                "diisi dengan --set, mis. --add steps[3] --set steps[3].kegiatan=\"Mengarsipkan "
                "surat\".")


@click.command(epilog=CORRECT_HELP)
@click.argument("version_ref", metavar="VERSION")
@click.option("--set", "assignments", multiple=True, metavar="KOLOM=NILAI",
              help="Nilai yang benar untuk sebuah kolom (boleh berulang).")
@click.option("--confirm", "confirmed", multiple=True, metavar="KOLOM",
              help="Kolom bertanda yang sudah dicocokkan dan benar (boleh berulang).")
@click.option("--add", "added", multiple=True, metavar="BARIS",
              help="Sisipkan baris kosong, mis. steps[3], indicators[2], dasar_hukum[0] "
                   "(isi dengan --set; boleh berulang).")
@click.option("--remove", "removed", multiple=True, metavar="BARIS",
              help="Hapus baris, mis. indicators[4] (boleh berulang).")
@click.option("--reason", required=True, help="Alasannya (dicatat dalam riwayat dan log audit).")
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def correct(version_ref: str, assignments: tuple[str, ...], confirmed: tuple[str, ...],
            added: tuple[str, ...], removed: tuple[str, ...], reason: str, as_json: bool) -> None:
    """Koreksi hasil baca sebuah versi; hasil baca mesin tetap tersimpan dan dapat dilihat."""
    from api.settings import Settings
    from api.wiring import correct_version, index_updater
    from archive.revisions import parse_assignments

    if not (assignments or confirmed or added or removed):
        raise click.UsageError("Beri sedikitnya satu --set KOLOM=NILAI, --confirm KOLOM, "
                               "--add BARIS atau --remove BARIS.")
    settings = Settings()
    sessions = open_archive(settings)
    done = correct_version(sessions, version_ref, parse_assignments(assignments), reason,
                           cli_actor(), index_updater(settings, sessions), confirm=confirmed,
                           add=added, remove=removed)
    if as_json:
        _echo_json({"document_id": done.document_id, "version_id": done.version_id,
                    "revision": done.revision_no, "changes": done.changes,
                    "index_warning": done.index_warning})
        return
    click.echo(f"dokumen #{done.document_id} versi {done.version_no}: revisi {done.revision_no}")
    for c in done.changes:
        what = {"diperiksa": "diperiksa, benar", "tambah": f"baris ditambah: {c['new']!r}",
                "hapus": f"baris dihapus: {c['old']!r}"}.get(c["kind"],
                                                             f"{c['old']!r} -> {c['new']!r}")
        click.echo(f"  {c['field']}: {what}")
    if done.index_warning:
        click.echo(f"peringatan: {done.index_warning}", err=True)


@click.command(epilog=VERSION_HELP)
@click.argument("version_ref", metavar="VERSION")
def reextract(version_ref: str) -> None:
    """Baca ulang berkas sebuah versi (mis. setelah mesin OCR diperbarui); nilai yang sudah
    dikoreksi orang tetap dipakai, hasil baca mesin yang baru disimpan di sampingnya."""
    from api.settings import Settings
    from api.wiring import index_updater, ingest_options
    from archive.store import FileStore
    from ingest.pipeline import reextract_version

    settings = Settings()
    sessions = open_archive(settings)
    with sessions() as session:
        version_id = resolve_version(session, version_ref).id
    options = ingest_options(settings, uploader=None, on_recorded=None)
    done = reextract_version(version_id, sessions, FileStore(settings.files_dir), options)
    with sessions.begin() as session:
        audit_record(session, cli_actor(), "version.reextract", f"versi {version_id}", None,
                     {"koreksi_tidak_diterapkan": list(done.lost)})
    warning = index_updater(settings, sessions)(done.document_id)
    click.echo(f"versi {version_id} dari #{done.document_id} dibaca ulang; nilai koreksi tetap")
    for path in done.lost:
        click.echo(f"peringatan: koreksi {path} tidak dapat diterapkan (barisnya tidak ada lagi); "
                   "periksa halaman dokumennya", err=True)
    if warning:
        click.echo(f"peringatan: {warning}", err=True)

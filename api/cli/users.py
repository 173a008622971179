"""`arsip user ...` (accounts, roles, profiles, API tokens) and `arsip audit ...` (the trail)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click

from archive.roles import ROLES


def register(cli: click.Group) -> None:
    """Add the command groups."""
    cli.add_command(user)
    cli.add_command(audit)


def _sessions() -> Any:
    from api.settings import Settings
    from api.wiring import open_archive

    return open_archive(Settings())


def read_password(prompt: str = "Kata sandi") -> str:
    """A password: prompted twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt="Ulangi kata sandi"))
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@click.group()
def user() -> None:
    """Akun pengguna: tambah, daftar, nonaktifkan, peran, profil pejabat, token API."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="Peran akun.")
def user_add(name: str, role: str) -> None:
    """Tambah akun (kata sandi dari stdin bila bukan terminal, selain itu ditanya dua kali)."""
    from api.wiring import cli_actor
    from archive.accounts import add_user

    password = read_password()
    with _sessions().begin() as session:
        made = add_user(session, cli_actor(), name, role, password)
        click.echo(f"akun {made.name} ({made.role}) dibuat")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def user_list(as_json: bool) -> None:
    """Daftar akun: nama, peran, aktif, profil pejabat, token yang berlaku."""
    from sqlalchemy import select

    from archive.accounts import profile_of
    from archive.models_accounts import User

    with _sessions()() as session:
        users = session.scalars(select(User).order_by(User.name)).all()
        data = [{"name": u.name, "role": u.role, "disabled": u.disabled, **profile_of(u),
                 "tokens": [t.prefix for t in u.tokens if t.revoked_at is None]} for u in users]
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    if not data:
        click.echo("belum ada akun; buat admin pertama dengan `arsip user add NAMA --role admin`")
    for d in data:
        state = "nonaktif" if d["disabled"] else "aktif"
        official = f"  {d['nama']}, {d['jabatan']} (NIP {d['nip']})" if d["nama"] else ""
        tokens = f"  token: {', '.join(d['tokens'])}…" if d["tokens"] else ""
        click.echo(f"{d['name']}\t{d['role']}\t{state}{official}{tokens}")


def _change(name: str, change: Any) -> None:
    from api.wiring import cli_actor
    from archive.accounts import get_user

    with _sessions().begin() as session:
        change(session, cli_actor(), get_user(session, name))


@user.command("disable")
@click.argument("name")
def user_disable(name: str) -> None:
    """Nonaktifkan akun (sesi dan tokennya berhenti berlaku)."""
    from archive.accounts import set_disabled

    _change(name, lambda s, a, u: set_disabled(s, a, u, True))
    click.echo(f"akun {name} dinonaktifkan")


@user.command("enable")
@click.argument("name")
def user_enable(name: str) -> None:
    """Aktifkan kembali akun yang dinonaktifkan."""
    from archive.accounts import set_disabled

    _change(name, lambda s, a, u: set_disabled(s, a, u, False))
    click.echo(f"akun {name} diaktifkan")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def user_role(name: str, role: str) -> None:
    """Ganti peran akun."""
    from archive.accounts import set_role

    _change(name, lambda s, a, u: set_role(s, a, u, role))
    click.echo(f"akun {name} kini berperan {role}")


@user.command("password")
@click.argument("name")
def user_password(name: str) -> None:
    """Ganti kata sandi akun (seperti `user add`: stdin atau ditanya dua kali)."""
    from archive.accounts import set_password

    password = read_password("Kata sandi baru")
    _change(name, lambda s, a, u: set_password(s, a, u, password))
    click.echo(f"kata sandi akun {name} diganti; sesinya diakhiri")


@user.command("profile")
@click.argument("name")
@click.option("--jabatan", default=None, help="Jabatan pejabat, mis. Sekretaris Daerah.")
@click.option("--nama", default=None, help="Nama lengkap dengan gelar.")
@click.option("--nip", default=None, help="NIP 18 angka (diperiksa: tanggal lahir, TMT, jenis kelamin).")
@click.option("--pangkat", default=None, help="Pangkat/golongan, mis. Pembina Utama Muda (IV/c).")
@click.option("--kantor", default=None, help="Kantor/unit kerja.")
def user_profile(name: str, **fields: str | None) -> None:
    """Isi profil pejabat sebuah akun (yang mengesahkan salinan bercap)."""
    from archive.accounts import set_profile

    given = {k: v for k, v in fields.items() if v is not None}
    if not given:
        raise click.UsageError("Sebutkan paling sedikit satu isian profil (--jabatan, --nama, ...).")
    _change(name, lambda s, a, u: set_profile(s, a, u, **given))
    click.echo(f"profil akun {name} diperbarui")


@user.command("token")
@click.argument("name")
@click.option("--revoke", "revoke", default=None, metavar="AWALAN",
              help="Cabut token berawalan AWALAN (atau `semua`) alih-alih membuat token baru.")
def user_token(name: str, revoke: str | None) -> None:
    """Buat token API baru untuk akun (dicetak sekali; disimpan sebagai hash), atau cabut token."""
    from api.wiring import cli_actor
    from archive.accounts import get_user, new_token, revoke_tokens

    with _sessions().begin() as session:
        account = get_user(session, name)
        if revoke:
            n = revoke_tokens(session, cli_actor(), account, None if revoke == "semua" else revoke)
            click.echo(f"{n} token akun {name} dicabut")
            return
        made = new_token(session, cli_actor(), account)
    click.echo(made.secret)
    click.echo("Simpan token ini sekarang: token tidak dapat ditampilkan lagi. Kirim sebagai "
               "`Authorization: Bearer TOKEN`.", err=True)


@click.group()
def audit() -> None:
    """Jejak audit: periksa rantai hash, tampilkan catatan."""


@audit.command("verify")
def audit_verify() -> None:
    """Periksa rantai hash jejak audit; keluar bukan-nol dan sebut baris rusak pertama."""
    from archive import audit as trail
    from archive.errors import AuditChainError

    with _sessions()() as session:
        check = trail.verify(session)
    if not check.ok:
        raise AuditChainError(f"Jejak audit rusak: {check.reason}. {check.rows} baris pertama "
                              "utuh; bandingkan dengan cadangan untuk mengetahui isi aslinya.")
    click.echo(f"jejak audit utuh: {check.rows} baris; hash terakhir {check.head}")


@audit.command("list")
@click.option("--since", "since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
              default=None, help="Mulai tanggal (TTTT-BB-HH, waktu setempat: ARSIP_TIMEZONE).")
@click.option("--user", "actor", default=None, help="Hanya catatan akun ini (cli:NAMA untuk baris perintah).")
@click.option("--json", "as_json", is_flag=True, help="Cetak JSON.")
def audit_list(since: datetime | None, actor: str | None, as_json: bool) -> None:
    """Tampilkan jejak audit, yang lama dulu."""
    from archive import audit as trail
    from archive.localtime import waktu_singkat, zone

    with _sessions()() as session:
        rows = [trail.as_dict(r) for r in trail.rows(
            session, since=since.replace(tzinfo=zone()) if since else None, actor=actor)]
    if as_json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    for r in rows:
        change = json.dumps(r["after"], ensure_ascii=False) if r["after"] is not None else ""
        click.echo(f"{r['id']}\t{waktu_singkat(r['at'])}\t{r['actor']}\t{r['address']}\t{r['action']}\t"
                   f"{r['target']}\t{change}")

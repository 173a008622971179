"""`arsip serve`: the web app on 127.0.0.1:8000 (uvicorn), over the archive in ARSIP_DATA_DIR."""

from __future__ import annotations

import logging

import click


def register(cli: click.Group) -> None:
    """Add the command to the group."""
    cli.add_command(serve)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Alamat yang didengarkan (0.0.0.0: semua antarmuka jaringan).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Nomor port.")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True,
              help="Alamat proksi HTTPS yang dipercaya header X-Forwarded-* -nya.")
def serve(host: str, port: int, forwarded_allow_ips: str) -> None:
    """Jalankan aplikasi web arsip (membuat folder data dan memperbarui basis datanya)."""
    import uvicorn

    from api.settings import Settings
    from api.web import create_app

    settings = Settings()
    app = create_app(settings)
    verbose = logging.getLogger().getEffectiveLevel() <= logging.INFO
    click.echo(f"Arsip Kinerja berjalan di http://{host}:{port}/ (data: {settings.data_dir.resolve()}); "
               "hentikan dengan Ctrl+C.")
    if not app.state.arsip.accounts_exist:
        click.echo(f"Belum ada akun: buka http://127.0.0.1:{port}/siapkan di komputer ini untuk "
                   "membuat admin pertama, atau jalankan `arsip user add NAMA --role admin`.")
    uvicorn.run(app, host=host, port=port, log_level="info" if verbose else "warning",
                access_log=verbose, proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips)

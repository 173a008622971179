"""The official behind an account: NIP checks (PNS numbers carry a birth date, TMT and sex digit).

A NIP (Nomor Induk Pegawai, PP 11/2017 and BKN rules) is 18 digits: birth date `YYYYMMDD`, the
month the civil servant was appointed (TMT CPNS, `YYYYMM`), the sex digit (1 man, 2 woman), and a
three-digit serial that is never 000.  The same rules as `ingest/nip.py` (which judges NIPs read
from documents); kept apart because `archive/` imports nothing of ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from archive.errors import BadInputError

_DIGITS = re.compile(r"\d{18}")


@dataclass(frozen=True)
class Nip:
    """A NIP read into its parts."""

    nip: str
    lahir: date
    tmt: date  # the first of the TMT month
    laki_laki: bool
    urut: int


def check_nip(text: str, today: date | None = None) -> Nip:
    """The NIP in `text` (spaces allowed) read into its parts, or a message saying what is wrong."""
    nip = re.sub(r"\s+", "", text or "")
    if not _DIGITS.fullmatch(nip):
        raise BadInputError(f"NIP {text!r} tidak sah: NIP terdiri atas 18 angka (tanpa titik atau "
                            "huruf), mis. 198204252009022002.")
    today = today or date.today()
    try:
        lahir = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise BadInputError(f"NIP {nip} tidak sah: delapan angka pertama ({nip[:8]}) harus "
                            "tanggal lahir yang ada (TTTTBBHH).") from None
    month = int(nip[12:14])
    if not 1 <= month <= 12:
        raise BadInputError(f"NIP {nip} tidak sah: angka 9-14 ({nip[8:14]}) harus TMT CPNS "
                            "(tahun dan bulan), bulannya 01-12.")
    tmt = date(int(nip[8:12]), month, 1)
    age = tmt.year - lahir.year - ((tmt.month, 1) < (lahir.month, lahir.day))
    if lahir.year < 1900 or lahir > today or not 17 <= age <= 60 or tmt > today:
        raise BadInputError(f"NIP {nip} tidak sah: tanggal lahir {lahir.isoformat()} dan TMT "
                            f"{tmt.strftime('%Y-%m')} tidak masuk akal (TMT harus sudah lewat, "
                            "pada usia 17-60 tahun).")
    if nip[14] not in "12":
        raise BadInputError(f"NIP {nip} tidak sah: angka ke-15 ({nip[14]}) harus jenis kelamin, "
                            "1 (laki-laki) atau 2 (perempuan).")
    if nip[15:] == "000":
        raise BadInputError(f"NIP {nip} tidak sah: tiga angka terakhir (nomor urut) tidak boleh 000.")
    return Nip(nip, lahir, tmt, nip[14] == "1", int(nip[15:]))

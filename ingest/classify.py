"""Decide the document type from content (never from the file name).

Each type has weighted cues looked for in the first pages, where titles and headings sit; the
highest total wins, and below a minimum the document is `other`.  A negative weight is a cue that
rules a type out (a regulation's heading for a decision).
"""

from __future__ import annotations

import re

from ingest.layout import DocumentContent
from ingest.model import DocType

# (pattern, weight); patterns are matched case-insensitively on the first pages' text.
_CUES: dict[DocType, tuple[tuple[str, float], ...]] = {
    # OCR of a scanned identity page clips or misreads first letters ('Yomor Urut SOP',
    # '»sahkan Oleh', '(ualifikasi'): the SOP cues match from the second letter on.
    "sop": (
        (r"\w?omor\s+(urut\s+)?s[o0]p\b", 4),
        (r"\w?ama\s+s[o0]p\b", 3),
        (r"standar(t)?\s+operasional\s+prosedur", 3),
        (r"\w?sahkan\s+oleh", 1),
        (r"\w?ualifikasi\s+pelaksana|\w?ualitas\s+pelaksana", 2),
        (r"mutu\s+baku|pendukung", 1),
        # a flowchart page without an identity page: its title line and its header row
        (r"^\s*s[o0]p\s+[a-z]{4,}", 2),
        (r"^.*\b(kegiatan|aktivitas|aktifitas|uraian\s+prosedur)\b.*\bpelaksana\b", 1),
        (r"pencatatan\s+dan\s+pend", 1),
    ),
    "lkjip": (
        (r"laporan\s+kinerja\s+(instansi|internal)", 5),
        (r"\blk[ji]ip\b|\blakip\b", 4),
        (r"akuntabilitas\s+kinerja", 1),
        (r"kata\s+pengantar", 1),
    ),
    "form_data_kinerja": (
        (r"format\s+pengumpulan\s+data", 6),
        (r"\btw\s*[1-4i]+\b|triwulan", 1),
        (r"target\s+tahunan", 2),
    ),
    "perjanjian_kinerja": (
        (r"perjanjian\s+kinerja", 3),
        (r"pihak\s+(pertama|kesatu)", 4),
        (r"pihak\s+kedua", 2),
    ),
    "keputusan": (
        (r"^\s*keputusan\b", 4),
        # the heading block: KEPUTUSAN <official> / NOMOR ... / TENTANG
        (r"^\s*keputusan\b.*\n(?:.*\n){0,2}?\s*nomor\b.*\n(?:.*\n){0,2}?\s*tentang\b", 5),
        (r"\bmemutuskan\b", 3),
        (r"\bmenimbang\b", 2),
        (r"\bmengingat\b", 1),
        (r"\bmenetapkan\b", 1),
        # a regulation (PERATURAN BUPATI ... / NOMOR ... / TENTANG) shares the decision's
        # preamble but is not a decision: its own heading rules the type out
        (r"(?-i:^\s*PERATURAN(?:\s+[A-Z][A-Z.,]*)+\s*)\n(?:.*\n){0,2}?\s*nomor\b", -12),
    ),
    "surat": (
        (r"\byth\b", 3),
        (r"^\s*surat\s+pengantar\s*$", 8),
        # the title line of the other letters: SURAT KETERANGAN / EDARAN / TUGAS / UNDANGAN ...
        (r"^\s*surat\s+(?:keterangan|edaran|tugas|undangan|pemberitahuan|perintah|kuasa|"
         r"rekomendasi|izin|ijin)\s*$", 5),
        (r"\bdemikian\s+surat\b", 2),
        # the label block of a letter head: Nomor : ... then Hal/Perihal : within a few lines
        (r"^\s*nomor\s*:.*\n(?:.*\n){0,6}?\s*(perihal|hal)\s*:", 3),
        (r"^\s*(perihal|hal)\s*:", 3),
        (r"^\s*lampiran\s*:", 1),
        (r"^\s*sifat\s*:", 1),
        (r"^\s*nomor\s*:", 1),
        (r"\bdi\s*-?\s*tempat\b", 1),
    ),
}
_MIN_SCORE = 3.0
_PAGES = 3


def classify(doc: DocumentContent) -> DocType:
    """The most likely document type of `doc`, or 'other'."""
    scores = score_types("\n".join(p.text for p in doc.pages[:_PAGES]))
    best, score = max(scores.items(), key=lambda kv: kv[1])
    return best if score >= _MIN_SCORE else "other"


def score_types(text: str) -> dict[DocType, float]:
    """The cue score of each type for `text` (exposed for tests and debugging)."""
    out: dict[DocType, float] = {}
    for dtype, cues in _CUES.items():
        out[dtype] = sum(w for pat, w in cues if re.search(pat, text, re.I | re.M))
    return out

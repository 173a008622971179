"""Whether a page's existing text layer may be used, or the page must be read again by OCR.

Two kinds of text layer reach us:

- **drawn text** (a Word or Excel export, a report printed to PDF): the page is not covered by
  an image, the text *is* the page.  It is always used as it is and never OCR'd: checking it
  would cost seconds a page and could only make it worse.
- **someone's OCR** (a scanner or an earlier OCR run left invisible words over a page-sized
  image).  It may be good, or it may be bad OCR that turns a handwritten `286` into `P86` and
  `2017` into `2Ol7`.  It is used only when it passes every check below, cheapest first; one
  failed check condemns all such pages of the file (one tool made them all) and they are OCR'd.

The checks on someone's OCR:

1. **Misread tokens** (no OCR needed): the share of words showing the marks of bad OCR
   (`misread_tokens`: digits and look-alike letters mixed, `2Ol7`, `S1MATERA`; punctuation or
   case flips inside a word, `bentr.rk`, `NoMoR`; symbols where letters belong, `l{odal`).
   Our own Tesseract layers on clean scans show 0.1-0.3 %; layers that garbled a number show
   1.7 % and more.  The limit is `MAX_MISREAD_SHARE`.
2. **Misread numbers**: any number whose digits are mixed with look-alike letters (`2OI7`,
   `l0.5`) says the layer's numbers cannot be taken, whatever the share.
3. **Words against the image**: a quick OCR of a band of up to `SAMPLES` pages; most of the
   words it reads confidently must be in the layer (`layer_agrees`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ingest.layout import DocumentContent, PageContent
from ingest.ocr import OcrOptions, OcrWord
from ingest.textlayer import needs_ocr

log = logging.getLogger(__name__)

SCAN_COVER = 0.6  # a page at least this much covered by one image is a scan
SAMPLES = 3
MIN_WORDS = 6
AGREEMENT = 0.7
MAX_MISREAD_SHARE = 0.01
MIN_TOKENS = 40  # fewer words than this: the share says nothing

_WEB_RE = re.compile(r"@|www\.|https?:|\.(?:go\.id|com|org|net|id)\b", re.I)
_MISREAD_RES = (
    re.compile(r"\d[OolISZB]|[OolISZB]\d"),  # a digit beside a letter OCR takes for one
    re.compile(r"[a-z]{2}[.,;:!{}\[\]<>€$*|'\"][a-z]"),  # punctuation inside a lower-case word
    re.compile(r"[a-z][A-Z]"),  # the case flipping inside a word
    re.compile(r"[{}<>€$|\\]"),  # symbols where letters belong
)
# a number with look-alike letters among its digits: '2Ol7', '2OI7', '1O.5'
_BAD_NUMBER_RE = re.compile(
    r"^\W*(?=[\dOolI.,]*\d[\dOolI.,]*\d)(?=.*(?:\d[OolI]|[OolI]\d))[\dOolI.,]{3,}\W*$")


def untrusted_layers(path: Path, doc: DocumentContent, options: OcrOptions | None) -> list[int]:
    """Indices of the pages whose text layer is someone's OCR and fails a check.

    With `options` None (OCR switched off) only the checks that need no OCR run.
    """
    foreign = foreign_layers(path, doc)
    if not foreign:
        return []
    words = [w.text for i in foreign for w in doc.pages[i].words]
    share = misread_share(words)
    numbers = [t for t in words if _BAD_NUMBER_RE.match(t)]
    if share > MAX_MISREAD_SHARE or numbers:
        log.info("%s: the text layer over the scan is bad OCR (%.1f %% misread words, numbers %s)",
                 path.name, 100 * share, numbers[:3])
        return foreign
    if options is None:
        return []
    from ingest.scan import sample_words

    for i in foreign[:SAMPLES]:
        if not layer_agrees(doc.pages[i], sample_words(path, i, options)):
            log.info("%s page %d: the text layer disagrees with OCR", path.name, i + 1)
            return foreign
    return []


def foreign_layers(path: Path, doc: DocumentContent) -> list[int]:
    """Pages with a text layer lying over a page-sized image (someone's OCR of a scan)."""
    from ingest.raster import image_covers

    texts = [i for i, page in enumerate(doc.pages) if not needs_ocr(page) and not page.ocr]
    covers = {i: doc.pages[i].image_cover for i in texts}  # measured by the text layer's reader
    unmeasured = [i for i, cover in covers.items() if cover is None]
    if unmeasured:  # pages pdfplumber read: loaded again
        covers.update(zip(unmeasured, image_covers(path, unmeasured), strict=True))
    return [i for i in texts if (covers[i] or 0.0) >= SCAN_COVER]


def misread_tokens(words: Iterable[str]) -> list[str]:
    """The words showing marks of bad OCR (web and mail addresses are left alone)."""
    return [w for w in _judged(words) if any(p.search(w) for p in _MISREAD_RES)]


def misread_share(words: Sequence[str]) -> float:
    """Share of misread words among the words of two letters or more (0 for too few words)."""
    judged = _judged(words)
    if len(judged) < MIN_TOKENS:
        return 0.0
    return len(misread_tokens(judged)) / len(judged)


def _judged(words: Iterable[str]) -> list[str]:
    return [w for w in words if sum(c.isalpha() for c in w) >= 2 and not _WEB_RE.search(w)]


def layer_agrees(page: PageContent, ocr_words: Sequence[OcrWord]) -> bool:
    """True when most words OCR reads confidently are also in the page's text layer.

    Too few confident words to judge (a photo, a blank band) counts as agreeing.
    """
    from ingest.confidence import norm

    seen = {norm(w.text) for w in ocr_words
            if w.conf >= 70 and sum(ch.isalpha() for ch in w.text) >= 4}
    if len(seen) < MIN_WORDS:
        return True
    layer = {norm(t) for w in page.words for t in w.text.split()}
    return len(seen & layer) >= AGREEMENT * len(seen)

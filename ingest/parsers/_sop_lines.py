"""Identity pages printed without a ruled grid: text lines turned into blocks that read like cells.

A page of `Nomor SOP : 045/...` lines, or of labels in one row with their values under them, has
no table for `_sop_identity` to read.  Its words (those outside every table) are grouped into
lines, a line is cut into segments where a wide gap separates them (label and value in two
columns), and a segment joins the block right above it when it lines up under it and does not
start with a label of its own: a label's block then holds its value (the rest of its line and
the lines under it), or a value stands in its own block right of or below its label, as a
cell would in a grid.  The blocks are handed to the same label/value reader as table cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ingest.layout import Box, Cell, PageContent, Word, overlap_lines

SEGMENT_GAP = 1.6  # a gap this many line heights wide splits a line into two segments
BLOCK_GAP = 1.2  # a segment this many line heights below a block continues it only when ...
SIGN_GAP = 6.0  # ... it starts where the block's lines start (a signature's blank lines), up to this
ALIGN = 1.0  # line heights: how far a continuation line may start left of its block


@dataclass
class _Block:
    lines: list[str] = field(default_factory=list)
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    line_x0: float = 0.0  # where the block's first line starts
    open: bool = True

    def cell(self) -> Cell:
        return Cell("\n".join(self.lines), Box(self.x0, self.top, self.x1, self.bottom))


def text_blocks(page: PageContent, outside: Sequence[Box], starts_label: Callable[[str], bool]) -> list[Cell]:
    """Blocks of the words of `page` outside the boxes `outside` (the page's tables), as cells.

    `starts_label(text)` says whether a segment begins with a field or list label: such a
    segment always starts a block of its own.
    """
    words = [w for w in page.words if w.text.strip()
             and not any(b.contains_point(w.box.cx, w.box.cy, 1.0) for b in outside)]
    blocks: list[_Block] = []
    for line in overlap_lines(words):
        height = max(sum(w.box.height for w in line) / len(line), 1.0)
        segments = _segments(line, height)
        texts = [" ".join(w.text for w in seg) for seg in segments]
        labelled = [starts_label(t) for t in texts]
        top = min(w.box.top for w in line)
        for b in blocks:
            if b.open and (top - b.bottom > SIGN_GAP * height or any(labelled)):
                b.open = False  # a label line starts a new row of the form
        for seg, text in zip(segments, texts, strict=True):
            x0, x1 = seg[0].box.x0, seg[-1].box.x1
            s_top, s_bottom = min(w.box.top for w in seg), max(w.box.bottom for w in seg)
            above = [b for b in blocks if b.open and _continues(b, x0, s_top, height)
                     and not _crosses_other(x0, x1, b, segments)]
            target = max(above, key=lambda b: b.bottom, default=None)
            if target is None or starts_label(text):
                seg = _without_colon(seg, height)
                text = " ".join(w.text for w in seg)
                blocks.append(_Block([_value_text(text)], x0, s_top, x1, s_bottom, line_x0=seg[0].box.x0))
                continue
            target.lines.append(text)
            target.x1, target.bottom = max(target.x1, x1), max(target.bottom, s_bottom)
    return [b.cell() for b in blocks]


def _continues(block: _Block, x0: float, top: float, height: float) -> bool:
    """A segment continues the block above it when it starts within the block's column, right
    under it, or further down when it starts exactly where the block's first line does."""
    if not block.x0 - ALIGN * height <= x0 < block.x1:
        return False
    gap = top - block.bottom
    return gap <= BLOCK_GAP * height or abs(x0 - block.line_x0) <= 0.5 * height


_COLON_READS = frozenset(":;|!1lIi")  # what OCR makes of a colon standing apart


def _without_colon(seg: list[Word], height: float) -> list[Word]:
    """A value segment without the colon standing before it, also as OCR misreads it ('1', '|'):
    a one-character first word set apart from the next by more than a word space."""
    if len(seg) > 1 and seg[0].text.strip() in _COLON_READS \
            and seg[1].box.x0 - seg[0].box.x1 > 0.6 * height:
        return seg[1:]
    first = seg[0].text.strip()
    if len(seg) > 1 and first and all(ch in ":;" for ch in first):
        return seg[1:]
    return seg


def _value_text(text: str) -> str:
    """A value segment without the colon printed before it (': 973/12/2023')."""
    return text.lstrip(":; ").strip() or text


def _crosses_other(x0: float, x1: float, block: _Block, segments: Sequence[Sequence[Word]]) -> bool:
    """A segment reaching under more than its block's column is not that block's continuation
    when its line has other segments (columns of one row are read apart)."""
    return len(segments) > 1 and x1 > block.x1 + (block.x1 - block.x0)


def _segments(line: Sequence[Word], height: float) -> list[list[Word]]:
    """A line cut where the gap between two words is wider than `SEGMENT_GAP` line heights."""
    out: list[list[Word]] = [[line[0]]]
    for prev, w in zip(line, line[1:], strict=False):
        if w.box.x0 - prev.box.x1 > SEGMENT_GAP * height:
            out.append([w])
        else:
            out[-1].append(w)
    return out

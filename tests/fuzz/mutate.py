"""A seeded PDF mutator: the damage real files carry, made on purpose.

Each mutation edits the bytes of a small seed PDF the way broken producers, bad transfers and
hostile senders do: flipped bytes, a cut-off tail, object numbers and references changed,
stream lengths that lie, a damaged cross-reference table, an object removed, a key renamed, a
number made extreme.  `mutants(seeds, seed)` yields the same inputs for the same seed, so a
run can be repeated exactly and a finding replayed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_REF = re.compile(rb"(\d+)\s+(\d+)\s+R\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)")
_XREF_ROW = re.compile(rb"\d{10} \d{5} [nf]")
_STARTXREF = re.compile(rb"startxref\s+(\d+)")
_NUMBER = re.compile(rb"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_NAMES = [b"/Page", b"/Pages", b"/Kids", b"/Contents", b"/Resources", b"/MediaBox", b"/Filter",
          b"/FlateDecode", b"/Type", b"/Root", b"/Count", b"/Parent", b"/XObject", b"/Font",
          b"/Length", b"/Width", b"/Height", b"/BitsPerComponent", b"/ColorSpace", b"/Rotate"]
_EXTREMES = [b"-1", b"0", b"2147483648", b"99999999999", b"1e308", b"-0.0", b"3.4e38", b"65535"]


@dataclass(frozen=True)
class Mutant:
    """One fuzz input: its bytes and how it was made (seed file, mutations)."""

    data: bytes
    origin: str
    steps: tuple[str, ...]


def _pick(rng: random.Random, pattern: re.Pattern[bytes], data: bytes) -> re.Match[bytes] | None:
    found = list(pattern.finditer(data))
    return rng.choice(found) if found else None


def _splice(data: bytes, m: re.Match[bytes], group: int, new: bytes) -> bytes:
    return data[:m.start(group)] + new + data[m.end(group):]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8) if rng.random() < 0.7 else rng.randrange(256)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randint(1, max(1, len(data) - 1))]


def renumber_object(rng: random.Random, data: bytes) -> bytes:
    m = _pick(rng, _OBJ, data)
    if not m:
        return flip_bytes(rng, data)
    return _splice(data, m, 1, str(rng.choice([0, 1, 2, 3, int(m.group(1)) + 1, 10**6])).encode())


def edit_reference(rng: random.Random, data: bytes) -> bytes:
    m = _pick(rng, _REF, data)
    if not m:
        return flip_bytes(rng, data)
    if rng.random() < 0.5:
        return _splice(data, m, 2, rng.choice([b"-1", b"1", b"65535"]))
    return _splice(data, m, 1, str(rng.choice([0, 1, int(m.group(1)) + 1, 999999])).encode())


def lie_about_length(rng: random.Random, data: bytes) -> bytes:
    m = _pick(rng, _LENGTH, data)
    if not m:
        return truncate(rng, data)
    n = int(m.group(1))
    return _splice(data, m, 1, str(rng.choice([0, max(0, n - rng.randint(1, 50)),
                                               n + rng.randint(1, 500), 10**9])).encode())


def damage_xref(rng: random.Random, data: bytes) -> bytes:
    rows = list(_XREF_ROW.finditer(data))
    m = _pick(rng, _STARTXREF, data)
    if rows and (not m or rng.random() < 0.6):
        row = rng.choice(rows)
        offset = rng.choice([0, rng.randrange(10**10), rng.randrange(max(1, len(data)))])
        new = f"{offset:010d}".encode() + row.group(0)[10:]
        return data[:row.start()] + new + data[row.end():]
    if m:
        return _splice(data, m, 1, str(rng.choice([0, len(data) + 100, rng.randrange(len(data))])).encode())
    return flip_bytes(rng, data)


def remove_object(rng: random.Random, data: bytes) -> bytes:
    m = _pick(rng, _OBJ, data)
    if not m:
        return truncate(rng, data)
    end = data.find(b"endobj", m.end())
    return data[:m.start()] + data[end + 6:] if end > 0 else data[:m.start()]


def rename_key(rng: random.Random, data: bytes) -> bytes:
    present = [n for n in _NAMES if n in data]
    if not present:
        return flip_bytes(rng, data)
    old = rng.choice(present)
    spots = [m.start() for m in re.finditer(re.escape(old) + rb"(?![A-Za-z])", data)]
    if not spots:
        return flip_bytes(rng, data)
    at = rng.choice(spots)
    return data[:at] + rng.choice(_NAMES) + data[at + len(old):]


def extreme_number(rng: random.Random, data: bytes) -> bytes:
    m = _pick(rng, _NUMBER, data[:20000])
    return _splice(data, m, 0, rng.choice(_EXTREMES)) if m else flip_bytes(rng, data)


def duplicate_chunk(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    chunk = data[start:start + rng.randint(1, 2000)]
    at = rng.randrange(len(data))
    return data[:at] + chunk + data[at:]


MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    f.__name__: f for f in (flip_bytes, truncate, renumber_object, edit_reference,
                            lie_about_length, damage_xref, remove_object, rename_key,
                            extreme_number, duplicate_chunk)}


def mutants(seeds: dict[str, bytes], seed: int) -> Iterator[Mutant]:
    """An endless, repeatable stream of inputs: 1-3 mutations of a seed file each."""
    rng = random.Random(seed)
    names = sorted(seeds)
    while True:
        origin = rng.choice(names)
        data, steps = seeds[origin], []
        for _ in range(rng.choice([1, 1, 2, 3])):
            name = rng.choice(sorted(MUTATIONS))
            data = MUTATIONS[name](rng, data) or data[:1]
            steps.append(name)
        yield Mutant(data, origin, tuple(steps))

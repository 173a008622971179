#!/usr/bin/env bash
# Score the extractor on ../shared/real in two lines: the twelve files developed on, and the held-out
# six of bench/HELDOUT.md (never tuned on).  Extra arguments go to the shared scorer (e.g. --only 'sop-*').
#   bash bench/score_real.sh [--jobs 2] [--only GLOB]
set -euo pipefail
cd "$(dirname "$0")/.."
real="$(cd ../shared/real && pwd)"
held=$(grep -oE '^\| `[a-z0-9-]+\.pdf`' bench/HELDOUT.md | grep -oE '[a-z0-9-]+\.pdf' | sed 's/\.pdf$//')
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/dev" "$tmp/heldout"
for pdf in "$real"/*.pdf; do
  name="$(basename "$pdf" .pdf)"
  dest=dev; grep -qx "$name" <<<"$held" && dest=heldout
  ln -s "$pdf" "$tmp/$dest/$name.pdf"; ln -s "$real/$name.json" "$tmp/$dest/$name.json"
done
arsip="${ARSIP:-$PWD/.venv/bin/arsip}"
for part in dev heldout; do
  echo "== $part"
  python3 ../shared/bench/score_extraction.py "$tmp/$part" --cmd "$arsip extract --json {pdf}" "$@"
done

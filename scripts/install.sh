#!/usr/bin/env bash
# Install everything Arsip Kinerja needs on Debian/Ubuntu: system packages, a virtualenv in .venv,
# and the project.  `--dev` adds the test tools (and PostgreSQL for the engine tests).
# Safe to run again: apt and pip skip what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  python3 python3-venv python3-dev
  tesseract-ocr tesseract-ocr-ind tesseract-ocr-eng   # OCR of scans, Indonesian + English
  poppler-utils                                       # pdftoppm: page images for checks
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b      # WeasyPrint (letters, stamped copies)
  libharfbuzz-subset0                                 # WeasyPrint font subsetting (embedded fonts)
  fonts-dejavu-core fonts-liberation
  libgl1 libglib2.0-0                                 # opencv-python (scan analysis, RapidOCR) links them
  postgresql-client                                   # pg_dump / pg_restore: `arsip backup` on PostgreSQL
  tzdata                                              # zoneinfo: times shown in WIB/WITA/WIT (ARSIP_TIMEZONE)
)
if [ "$dev" = 1 ]; then
  packages+=(postgresql postgresql-contrib ghostscript unpaper pngquant qpdf)
  packages+=(chromium)                                # browser tests (Playwright drives /usr/bin/chromium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
# pip's own chatter (index folders some machines configure but lack, setuptools notices) goes to a
# log file; it is shown only when pip fails.
pip_install() {
  local log=.venv/pip-install.log
  if ! .venv/bin/python -m pip install -q "$@" >"$log" 2>&1; then
    grep -vE "^WARNING: Location" "$log" >&2
    echo "pip install failed (full log: $log)" >&2
    return 1
  fi
}
pip_install --upgrade pip
if [ "$dev" = 1 ]; then
  echo "==> pip install -e .[dev]"
  pip_install -e ".[dev]"
else
  echo "==> pip install -e ."
  pip_install -e .
fi
echo "==> installed: $(.venv/bin/arsip --version)"

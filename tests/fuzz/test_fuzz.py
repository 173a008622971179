"""Fuzzing: mutated PDFs through extraction, `arsip extract` and the upload page, within limits.

The main run lasts ARSIP_FUZZ_SECONDS (default 150 in CI, where the variable CI is set, else 20);
its seed is ARSIP_FUZZ_SEED (default 13, so a run repeats).  Every input must end in a result or
a refusal from the error tree: never a traceback, never longer than the per-input timeout, never
more than the memory limit.  A finding is kept under tests/data/fuzz/ and replayed by
`test_saved_inputs_end_cleanly` for good.  Figures go to tests/artifacts/fuzz.txt.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from archive.errors import RejectedFileError
from tests.conftest import REPO
from tests.fuzz.mutate import mutants
from tests.fuzz.runner import SAVED, fuzz
from tests.ingest.scan_images import scan_pdf, text_page

TEXT_SEEDS = ["form-disdikbud-2025-02.pdf", "sop-bkpsdm-10.pdf", "lkjip-bkpsdm-2024-03.pdf"]
SEED = int(os.environ.get("ARSIP_FUZZ_SEED", "13"))
BUDGET = float(os.environ.get("ARSIP_FUZZ_SECONDS") or (150 if os.environ.get("CI") else 20))
TIMEOUT_S = 30.0  # per input
RSS_LIMIT_MB = 768.0  # peak resident memory of the process reading one input
ARTIFACTS = REPO / "tests" / "artifacts"
SAVED_INPUTS = sorted(SAVED.glob("*.pdf"))


def _seeds(corpus_dir: Path, tmp_path: Path) -> dict[str, bytes]:
    seeds = {name: (corpus_dir / name).read_bytes() for name in TEXT_SEEDS}
    scan = scan_pdf(tmp_path / "pindaian.pdf", text_page(["STANDAR OPERASIONAL PROSEDUR",
                                                          "Nomor: 800/12/2024"], width=900, height=500))
    seeds["pindaian.pdf"] = scan.read_bytes()
    return seeds


def _note(line: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "fuzz.txt").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


@pytest.mark.slow
@pytest.mark.timeout(BUDGET + 300)
def test_mutated_pdfs_end_in_a_result_or_a_refusal(corpus_dir: Path, tmp_path: Path) -> None:
    report = fuzz(_seeds(corpus_dir, tmp_path), SEED, BUDGET, tmp_path, timeout=TIMEOUT_S,
                  rss_limit_mb=RSS_LIMIT_MB)
    _note(f"ekstraksi (benih {SEED}): {report.summary()}")
    assert report.inputs >= 20, report.summary()
    assert report.outcomes["ok"] and report.outcomes["refused"], report.summary()
    assert not report.findings, "\n".join(report.findings)


def _limit_memory() -> None:
    cap = 2048 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


@pytest.mark.slow
def test_mutated_pdfs_through_the_command_line(corpus_dir: Path, tmp_path: Path) -> None:
    """`arsip extract`: exit 0, or exit 5 with one Indonesian line; never a traceback."""
    seeds = {n: (corpus_dir / n).read_bytes() for n in TEXT_SEEDS}
    env = {**os.environ, "PYTHONPATH": str(REPO), "ARSIP_OCR_JOBS": "1"}
    codes = []
    for i, mutant in zip(range(8), mutants(seeds, SEED + 1), strict=False):
        path = tmp_path / f"m{i}.pdf"
        path.write_bytes(mutant.data)
        run = subprocess.run([sys.executable, "-m", "api.cli", "extract", str(path)], env=env,
                             capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory,
                             check=False)
        codes.append(run.returncode)
        assert "Traceback" not in run.stderr, (mutant.steps, run.stderr)
        assert run.returncode in (0, 5), (mutant.steps, run.returncode, run.stderr)
        if run.returncode == 5:
            assert re.search(r"^galat \([a-z_]+\): \S", run.stderr, re.M), run.stderr
    _note(f"arsip extract: {len(codes)} masukan, kode keluar {sorted(codes)}")


@pytest.mark.slow
@pytest.mark.archive_db
def test_mutated_pdfs_through_the_upload_page(corpus_dir: Path, tmp_path: Path) -> None:
    """The upload page: every file ends archived or refused with its message, never 'gagal'."""
    from fastapi.testclient import TestClient

    from api.settings import Settings
    from api.web.app import create_app

    seeds = {n: (corpus_dir / n).read_bytes() for n in TEXT_SEEDS}
    batch = [(f"m{i}.pdf", m.data) for i, m in zip(range(10), mutants(seeds, SEED + 2), strict=False)]
    batch += [(p.name, p.read_bytes()) for p in sorted(SAVED.glob("*.pdf"))[:3]]  # past findings
    settings = Settings(data_dir=tmp_path / "data", database_url=None, ocr_jobs=1)
    with TestClient(create_app(settings)) as client:
        parts = [("berkas", (name, data, "application/pdf")) for name, data in batch]
        r = client.post("/unggah", files=parts, data={"pengunggah": "uji"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        state = client.app.state.arsip  # type: ignore[attr-defined]
        state.uploads.wait()
        files = state.uploads.batch(r.headers["location"].rsplit("/", 1)[1]).files
        page = client.get(r.headers["location"])
    assert page.status_code == 200
    outcomes = [f.outcome for f in files]
    assert len(outcomes) == len(batch) and "failed" not in outcomes, [(f.name, f.message) for f in files]
    for f in files:
        if f.outcome == "refused":
            assert f.message.startswith("ditolak: ") and "Traceback" not in f.message, f.message
    _note(f"unggah: {len(outcomes)} berkas, hasil {sorted(outcomes)}")




@pytest.mark.parametrize("path", SAVED_INPUTS, ids=[p.stem for p in SAVED_INPUTS])
def test_saved_inputs_end_cleanly(path: Path) -> None:
    """Every input a fuzz run ever caught misbehaving now ends in a result or a refusal."""
    from ingest.extract import ExtractOptions, extract_file
    from ingest.ocr import OcrOptions

    options = ExtractOptions(ocr=OcrOptions(engine="fake", jobs=1, second=""))
    try:
        extract_file(path, options)
    except RejectedFileError as e:
        assert e.message and e.exit_code == 5

"""SOP identity labels as OCR misreads them."""

from __future__ import annotations

from ingest.parsers._sop_identity import match_list_label


def test_a_list_label_read_with_ri_as_nn_is_still_found() -> None:
    assert match_list_label("?enngatan\n1. Bila tidak") == ("peringatan", "1. Bila tidak")
    assert match_list_label("Pencatatan dan Pendaftaran") == ("pencatatan", "")


def test_an_unrelated_cell_is_not_a_list_label() -> None:
    assert match_list_label("Penanganan keberatan") is None

"""SOP identity labels as OCR misreads them."""

from __future__ import annotations

from ingest.parsers._sop_identity import match_list_label


def test_a_list_label_read_with_ri_as_nn_is_still_found() -> None:
    assert match_list_label("?enngatan\n1. Bila tidak") == ("peringatan", "1. Bila tidak")
    assert match_list_label("Pencatatan dan Pendaftaran") == ("pencatatan", "")


def test_an_unrelated_cell_is_not_a_list_label() -> None:
    assert match_list_label("Penanganan keberatan") is None


def test_the_space_after_an_honorific_comes_back() -> None:
    from ingest.parsers._sop_identity import parse_official

    official = parse_official("KEPALA DINAS,\nH.Irwan Wijayanti, S.I.P.\nPembina (IV/a)\nNIP. 19711025 199712 2 006")
    assert official is not None and official.nama == "H. Irwan Wijayanti, S.I.P."
    kept = parse_official("KEPALA,\nSAMUEL, SE, M.Si\nNIP. 19660408 199303 1 009")
    assert kept is not None and kept.nama == "SAMUEL, SE, M.Si"  # 'M.Si' is a title, not an honorific

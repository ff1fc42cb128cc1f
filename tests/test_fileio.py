"""Byte-preserving reads and writes (issue #14: "files keep every byte")."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prover_core import fileio
from prover_core.fileio import SourceFileError, check_writable, decode, read_source, write_source

ENDINGS = st.sampled_from(["\n", "\r\n"])
BOMS = st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
LINE = st.text(
    st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=12
)


def encode(bom: bytes, text: str) -> bytes:
    enc = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}.get(bom, "utf-8")
    return bom + text.encode(enc)


@st.composite
def files(draw: st.DrawFn) -> tuple[bytes, list[str], list[str]]:
    lines = draw(st.lists(LINE, min_size=1, max_size=8))
    ends = [draw(ENDINGS) for _ in lines[:-1]] + [draw(st.sampled_from(["", "\n", "\r\n"]))]
    bom = draw(BOMS)
    return encode(bom, "".join(a + b for a, b in zip(lines, ends, strict=True))), lines, ends


@settings(max_examples=300, deadline=None)
@given(files(), st.data())
def test_an_edit_keeps_every_other_byte(
    f: tuple[bytes, list[str], list[str]], data: st.DataObject
) -> None:
    raw, lines, ends = f
    src = decode(raw, "f")
    assert src.text == "".join(a + ("\n" if b else "") for a, b in zip(lines, ends, strict=True))
    assert src.replace(0, 0, "") == raw
    i = data.draw(st.integers(0, len(src.text)))
    j = data.draw(st.integers(i, len(src.text)))
    new = data.draw(st.text(max_size=10).filter(lambda s: "\r" not in s))
    out = src.replace(i, j, new)
    after = decode(out, "f")
    assert after.bom == src.bom and after.encoding == src.encoding
    assert after.text == src.text[:i] + new + src.text[j:]
    # the bytes before and after the edited text are the original bytes
    prefix = len(src.bom) + len(src.decoded[: src._offset(i)].encode(src.encoding))
    suffix = len(src.decoded[src._offset(j) :].encode(src.encoding))
    assert out[:prefix] == raw[:prefix]
    assert out[len(out) - suffix :] == raw[len(raw) - suffix :]
    # inserted line ends are the file's own
    inserted = after.decoded[
        src._offset(i) : len(after.decoded) - len(src.decoded[src._offset(j) :])
    ]
    assert inserted.replace("\r\n", "\n") == new
    assert "\r\n" not in inserted or "\r\n" in src.decoded


def test_inserted_line_ends_follow_the_line_edited() -> None:
    raw = b"a\r\nb := sorry\r\nc\n"
    src = decode(raw, "f")
    k = src.text.index("sorry")
    assert src.replace(k, k + 5, "by\n  x") == b"a\r\nb := by\r\n  x\r\nc\n"
    k = src.text.index("c")
    assert src.replace(k, k + 1, "d\ne") == b"a\r\nb := sorry\r\nd\ne\n"


def test_non_utf8_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "x.lean"
    p.write_bytes(b"theorem \xff")
    want = r"not UTF-8 text: byte 0xff at line 1, byte 9 \(.*x\.lean\)"
    with pytest.raises(SourceFileError, match=want):
        read_source(p)


def test_a_bom_and_crlf_file_round_trips_through_a_write(tmp_path: Path) -> None:
    p = tmp_path / "x.lean"
    raw = codecs.BOM_UTF8 + "theorem t : True := by\r\n  sorry\r\n-- ∀ é\r\n".encode()
    p.write_bytes(raw)
    os.chmod(p, 0o640)
    src = read_source(p)
    k = src.text.index("sorry")
    write_source(p, src.raw, src.replace(k, k + 5, "trivial"))
    assert p.read_bytes() == raw.replace(b"sorry", b"trivial")
    assert (tmp_path / "x.lean.bak").read_bytes() == raw
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "x.lean.bak").stat().st_mode) == 0o640


def test_a_symlink_stays_a_link_and_its_target_is_written(tmp_path: Path) -> None:
    real = tmp_path / "real.lean"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.lean"
    link.symlink_to(real)
    write_source(link, b"old\n", b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"
    assert (tmp_path / "link.lean.bak").read_bytes() == b"old\n"


def test_a_backup_that_is_a_link_is_replaced_not_followed(tmp_path: Path) -> None:
    p, elsewhere = tmp_path / "x.lean", tmp_path / "elsewhere"
    p.write_bytes(b"old\n")
    elsewhere.write_bytes(b"keep\n")
    (tmp_path / "x.lean.bak").symlink_to(elsewhere)
    write_source(p, b"old\n", b"new\n")
    assert elsewhere.read_bytes() == b"keep\n"
    assert not (tmp_path / "x.lean.bak").is_symlink()
    assert (tmp_path / "x.lean.bak").read_bytes() == b"old\n"


def test_a_read_only_file_is_refused_and_untouched(tmp_path: Path) -> None:
    p = tmp_path / "x.lean"
    p.write_bytes(b"old\n")
    os.chmod(p, 0o444)
    with pytest.raises(SourceFileError, match="read-only"):
        check_writable(p)
    with pytest.raises(SourceFileError, match="read-only"):
        write_source(p, b"old\n", b"new\n")
    assert p.read_bytes() == b"old\n" and not (tmp_path / "x.lean.bak").exists()


def test_a_directory_or_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="not a regular file"):
        check_writable(tmp_path)
    with pytest.raises(SourceFileError, match="cannot write"):
        check_writable(tmp_path / "missing.lean")
    with pytest.raises(SourceFileError, match="no such file"):
        read_source(tmp_path / "missing.lean")


def test_the_file_and_its_directory_are_fsynced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "x.lean"
    p.write_bytes(b"old\n")
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    write_source(p, b"old\n", b"new\n")
    assert str(tmp_path) in synced  # the directory, after the rename
    temps = [s for s in synced if s.startswith(str(tmp_path / ".x.lean."))]
    assert len(temps) == 2  # the new backup and the new file, before their renames
    assert (tmp_path / "x.lean.bak").read_bytes() == b"old\n"
    assert p.read_bytes() == b"new\n"


def test_where_no_rename_is_allowed_the_file_is_written_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "x.lean"
    p.write_bytes(b"old, longer\n")
    ino = p.stat().st_ino
    monkeypatch.setattr(fileio, "_write_replacing", lambda *a: False)
    write_source(p, b"old, longer\n", b"new\n")
    assert p.read_bytes() == b"new\n" and p.stat().st_ino == ino
    assert (tmp_path / "x.lean.bak").read_bytes() == b"old, longer\n"


@pytest.mark.skipif(os.getuid() != 0, reason="changing a file's owner needs root")
def test_ownership_is_kept(tmp_path: Path) -> None:
    p = tmp_path / "x.lean"
    p.write_bytes(b"old\n")
    os.chown(p, 1234, 5678)
    write_source(p, b"old\n", b"new\n")
    assert (p.stat().st_uid, p.stat().st_gid) == (1234, 5678)
    assert p.read_bytes() == b"new\n"

"""Byte-preserving reads and writes of a user's source file.

The core works on text with `\\n` line ends and no BOM (`Source.text`); an edit of that text
is mapped back onto the file's bytes (`Source.replace`). Invariants:
- every byte outside the replaced range is kept (line ends CRLF, LF or mixed; the BOM; the
  encoding); inserted line ends take the file's line end at the place of the edit;
- `write_source` keeps `FILE.bak` with the bytes the file had just before the write, keeps
  mode and ownership, writes a symlink's target (the link stays a link), fsyncs the file and
  its directory, and refuses an unwritable file before it writes anything.
"""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from prover_core.errors import InputError
from prover_core.textfile import read_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class SourceFileError(InputError):
    """A source file cannot be read, decoded or written; printed as `what (file)`."""


@dataclass(frozen=True, slots=True)
class Source:
    """A file's bytes and the text the core sees."""

    raw: bytes
    bom: bytes
    encoding: str
    decoded: str  # the file's text after the BOM, line ends as written

    @property
    def text(self) -> str:
        """The text with every CRLF written as LF (what the core works on)."""
        return self.decoded.replace("\r\n", "\n")

    def _offset(self, k: int) -> int:
        """Offset in `decoded` of offset `k` of `text` (each earlier CRLF adds one)."""
        i = crlf = 0
        while True:
            j = self.decoded.find("\r\n", i)
            if j < 0 or j - crlf >= k:
                return k + crlf
            crlf += 1
            i = j + 2

    def _line_end(self, at: int) -> str:
        """The line end of the line holding decoded offset `at` (else the file's first one)."""
        j = self.decoded.find("\n", at)
        if j < 0:
            j = self.decoded.find("\n")
        if j < 0:
            return "\n"
        return "\r\n" if j > 0 and self.decoded[j - 1] == "\r" else "\n"

    def replace(self, start: int, end: int, new_text: str) -> bytes:
        """The file's bytes with `text[start:end]` replaced by `new_text` (`\\n` line ends)."""
        a, b = self._offset(start), self._offset(end)
        inserted = new_text.replace("\n", self._line_end(a))
        head = len(self.bom) + len(self.decoded[:a].encode(self.encoding))
        tail = len(self.bom) + len(self.decoded[:b].encode(self.encoding))
        return self.raw[:head] + inserted.encode(self.encoding) + self.raw[tail:]


def decode(raw: bytes, where: str) -> Source:
    """`raw` as a `Source`: UTF-8 (BOM optional) or UTF-16 with a BOM."""
    bom, encoding = next(((b, e) for b, e in _BOMS if raw.startswith(b)), (b"", "utf-8"))
    try:
        decoded = raw[len(bom) :].decode(encoding)
    except UnicodeDecodeError as e:
        body = raw[len(bom) :]
        line = body.count(b"\n", 0, e.start) + 1
        column = e.start - body.rfind(b"\n", 0, e.start)
        what = (
            f"not {encoding.upper()} text: byte 0x{body[e.start]:02x} at line {line}, byte {column}"
        )
        raise SourceFileError(what, where) from None
    return Source(raw, bom, encoding, decoded)


def read_source(path: Path) -> Source:
    try:
        raw = read_bytes(path)
    except InputError as e:
        raise SourceFileError(e.what, e.where) from None
    return decode(raw, str(path))


def check_writable(path: Path) -> None:
    """Raise `SourceFileError` unless `path` (a symlink's target) can be rewritten and a
    `.bak` can be made next to it. Called before any work whose result would be written."""
    target = Path(os.path.realpath(path))
    try:
        st = target.stat()
    except OSError as e:
        raise SourceFileError(f"cannot write: {e.strerror or e}", str(path)) from None
    if not stat.S_ISREG(st.st_mode):
        raise SourceFileError("cannot write: not a regular file", str(path))
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise SourceFileError("read-only file: nothing will be written to it", str(path))
    if not os.access(target, os.W_OK):
        raise SourceFileError("not writable: permission denied", str(path))
    backup = _backup_path(path)
    where = backup if backup.exists() and not backup.is_symlink() else backup.parent
    if not os.access(where, os.W_OK):
        raise SourceFileError(f"cannot write the backup {backup}: permission denied", str(path))


def _backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_in_place(target: Path, data: bytes, st: os.stat_result) -> None:
    """Overwrite `target` (created with mode `st` if missing): same inode, owner and links."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, stat.S_IMODE(st.st_mode))
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.truncate()
        f.flush()
        os.fsync(f.fileno())


def _write_replacing(target: Path, data: bytes, st: os.stat_result) -> bool:
    """Write through a temporary file renamed over `target`, with its mode and ownership;
    False (nothing changed) where the directory or the ownership does not allow it."""
    if not os.access(target.parent, os.W_OK | os.X_OK):
        return False
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), stat.S_IMODE(st.st_mode))
            if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                try:
                    os.fchown(f.fileno(), st.st_uid, st.st_gid)
                except PermissionError:
                    os.unlink(tmp)
                    return False
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _put(path: Path, data: bytes, st: os.stat_result, *, follow: bool = True) -> None:
    """Write `data` to `path` (a symlink's target if `follow`, else the path itself) with
    mode and ownership `st`."""
    target = Path(os.path.realpath(path)) if follow else path
    if not _write_replacing(target, data, st):
        _write_in_place(target, data, st)
    _fsync_dir(target.parent)


def write_source(path: Path, original: bytes, data: bytes) -> None:
    """Replace the bytes of `path` (a symlink's target) by `data`, keeping `original` in
    `path.bak`. Raises `SourceFileError` (nothing written) when the file is unwritable."""
    check_writable(path)
    st = Path(os.path.realpath(path)).stat()
    try:
        _put(_backup_path(path), original, st, follow=False)  # a linked .bak is replaced
        _put(path, data, st)
    except OSError as e:
        raise SourceFileError(f"cannot write: {e.strerror or e}", str(path)) from None

"""Reading a user's text file at the edge: every failure is one `InputError` naming the file."""

from __future__ import annotations

from pathlib import Path

from prover_core.errors import InputError


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", str(path)) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", str(path)) from None


def decode_utf8(raw: bytes, path: Path) -> str:
    """`raw` as UTF-8 text; a leading byte-order mark is dropped (editors on Windows add one)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        column = e.start - raw.rfind(b"\n", 0, e.start)
        raise InputError(
            f"not UTF-8 text: byte 0x{raw[e.start]:02x} at line {line}, byte {column}", str(path)
        ) from None


def read_utf8(path: Path) -> str:
    return decode_utf8(read_bytes(path), path)

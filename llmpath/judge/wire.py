"""Length-prefixed frames on the pipes between llmpath and its child, and what a frame must look like.

The child's side of the wire is untrusted (the learner's code shares its interpreter), so every frame
is checked before it is believed: ``parse_frame`` turns anything malformed into a ProtocolError
whose message names the problem (not UTF-8, not JSON, a list, nested too deeply, a missing field...).
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

_HEADER = struct.Struct(">Q")
MAX_FRAME = 512 * 1024 * 1024  # a probe result larger than this is refused, not buffered


class ProtocolError(ValueError):
    """A frame from the child is malformed or was not asked for."""


def write_frame(fd: int, payload: bytes) -> None:
    data = _HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_frame(fd: int) -> bytes | None:
    """Read one whole frame from a blocking fd (the child reading llmpath's commands); None at EOF."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME:
        raise ProtocolError(f"a frame of {size} bytes exceeds the limit")
    return _read_exactly(fd, size) if size else b""


def _read_exactly(fd: int, n: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = os.read(fd, n - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


class FrameReader:
    """Accumulates bytes read from a non-blocking pipe and yields complete frames."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buf += chunk
        frames = []
        while len(self._buf) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buf)
            if size > MAX_FRAME:
                raise ProtocolError(
                    f"the child announced a result frame of {size} bytes, over the {MAX_FRAME} byte limit"
                )
            if len(self._buf) < _HEADER.size + size:
                break
            frames.append(bytes(self._buf[_HEADER.size : _HEADER.size + size]))
            del self._buf[: _HEADER.size + size]
        return frames

    def partial(self) -> str | None:
        """What is left of a frame cut short (None when nothing is pending)."""
        if not self._buf:
            return None
        if len(self._buf) < _HEADER.size:
            return f"a partial frame header ({len(self._buf)} of {_HEADER.size} bytes)"
        (size,) = _HEADER.unpack_from(self._buf)
        return f"a partial frame ({len(self._buf) - _HEADER.size} of {size} bytes)"


def parse_frame(payload: bytes) -> dict[str, Any]:
    """The frame as a dict with a string ``type``; ProtocolError naming what is wrong otherwise."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"a frame from the child is not UTF-8 text (byte {exc.start})") from None
    try:
        msg = json.loads(text)
    except RecursionError:
        raise ProtocolError("a frame from the child is nested too deeply to read") from None
    except ValueError as exc:
        raise ProtocolError(f"a frame from the child is not JSON ({exc})") from None
    if not isinstance(msg, dict):
        raise ProtocolError(f"a frame from the child is a JSON {type(msg).__name__}, not an object")
    if not isinstance(msg.get("type"), str):
        raise ProtocolError("a frame from the child has no `type`")
    return msg


def field(msg: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    """``msg[name]``, checked to be of ``kind`` (bool is never an int here)."""
    value = msg.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
        want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ProtocolError(f"a {msg.get('type')} frame's `{name}` is {type(value).__name__}, expected {want}")
    return value

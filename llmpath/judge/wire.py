"""Length-prefixed frames on a pipe between the child and llmpath."""

from __future__ import annotations

import os
import struct

_HEADER = struct.Struct(">Q")
MAX_FRAME = 512 * 1024 * 1024  # a probe result larger than this is refused, not buffered


def write_frame(fd: int, payload: bytes) -> None:
    data = _HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


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
                raise ValueError(f"probe result frame of {size} bytes exceeds the limit")
            if len(self._buf) < _HEADER.size + size:
                break
            frames.append(bytes(self._buf[_HEADER.size : _HEADER.size + size]))
            del self._buf[: _HEADER.size + size]
        return frames

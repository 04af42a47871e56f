"""The order in which Chromium 156 checks a request's headers against a preflight's answer.

When several request headers are missing from Access-Control-Allow-Headers, Chromium names the
first one of ``net::HttpRequestHeaders`` in its console line ("Request header field X is not
allowed"). That list is built by iterating Blink's ``HTTPHeaderMap`` (third_party/blink/renderer/
platform/network/http_header_map.h): a ``WTF::HashMap`` keyed by ``CaseFoldingHashTraits``, so the
order is the map's slot order, which is neither the page's order nor alphabetical. It follows from:

- the hash: ``CaseFoldingHash`` (wtf/text/case_folding_hash.h) runs rapidhash (third_party/
  rapidhash/rapidhash.h, Blink's reader-templated version) over the case-folded name as UTF-16
  code units, keeping the low 24 bits (``StringHasher::MaskTop8Bits``; 0 becomes 0x800000);
- the table: a power-of-two number of slots, at least 8, doubled whenever it becomes half full;
  a key goes to ``hash & (size - 1)`` and, on a collision, probes on with steps 1, 2, 3, ...
  (wtf/hash_table.h, triangular probing); keys are inserted in the page's header list order,
  which Blink keeps sorted by name.

Measured against Chromium 156 on 36 header sets of 2 to 7 names (tests/differential): the table
is sized as if four more headers were in it than the page set. That is the rule here.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["chromium_header_order"]

_M = (1 << 64) - 1
_SECRET = (0x2D358DCCAA6C78A5, 0x8BB84B93962EACC9, 0x4B33A62ED433D4A3)
_SEED = 0xBDD89AA982704029
#: Headers Chromium counts in the table's size besides the page's own (measured, see above).
_UNSEEN_ENTRIES = 4


def _mix(a: int, b: int) -> int:
    product = a * b
    return (product & _M) ^ (product >> 64)


def _case_folding_hash(name: str) -> int:
    """Blink's CaseFoldingHash of an ASCII header name (24 bits)."""
    units = [ord(c) for c in name.lower()]

    def read32(i: int) -> int:
        return units[i] | (units[i + 1] << 16)

    def read64(i: int) -> int:
        return units[i] | (units[i + 1] << 16) | (units[i + 2] << 32) | (units[i + 3] << 48)

    length = 2 * len(units)  # bytes of UTF-16; offsets below are in code units (half of that)
    seed = (_SEED ^ _mix(_SEED ^ _SECRET[0], _SECRET[1]) ^ length) & _M
    if length <= 16:
        if length >= 4:
            last = (length - 4) // 2
            delta = ((length & 24) >> (length >> 3)) // 2
            a = (read32(0) << 32) | read32(last)
            b = (read32(delta) << 32) | read32(last - delta)
        elif length:
            a, b = units[0], 0
        else:
            a = b = 0
    else:
        i, p = length, 0
        if i > 48:
            see1 = see2 = seed
            while True:
                seed = _mix(read64(p) ^ _SECRET[0], read64(p + 4) ^ seed)
                see1 = _mix(read64(p + 8) ^ _SECRET[1], read64(p + 12) ^ see1)
                see2 = _mix(read64(p + 16) ^ _SECRET[2], read64(p + 20) ^ see2)
                p, i = p + 24, i - 48
                if i < 48:
                    break
            seed ^= see1 ^ see2
        if i > 16:
            seed = _mix(read64(p) ^ _SECRET[2], read64(p + 4) ^ seed ^ _SECRET[1])
            if i > 32:
                seed = _mix(read64(p + 8) ^ _SECRET[2], read64(p + 12) ^ seed)
        a, b = read64(p + (i - 16) // 2), read64(p + (i - 8) // 2)
    product = (a ^ _SECRET[1]) * (b ^ seed)
    low, high = product & _M, product >> 64
    hashed = _mix(low ^ _SECRET[0] ^ length, high ^ _SECRET[1]) & 0xFFFFFF
    return hashed or 0x800000


@lru_cache(maxsize=1024)
def chromium_header_order(names: tuple[str, ...]) -> tuple[str, ...]:
    """The lower-cased, de-duplicated ``names`` in the order Chromium checks them."""
    keys = sorted({name.lower() for name in names})
    size = 8
    for count in range(1, len(keys) + _UNSEEN_ENTRIES + 1):
        if count * 2 >= size:
            size *= 2
    slots: list[str | None] = [None] * size
    for key in keys:
        i, probe = _case_folding_hash(key) & (size - 1), 0
        while slots[i] is not None:
            probe += 1
            i = (i + probe) & (size - 1)
        slots[i] = key
    return tuple(key for key in slots if key is not None)

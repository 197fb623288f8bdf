#!/usr/bin/env python3
"""Compares two 8-bit RGB PNGs (any deflate, no interlace) pixel by pixel, Python standard library only.

    python3 Scripts/compare_png.py A.png B.png [--max-share 0.01] [--level 8]

Exit 0 when the sizes match and at most --max-share of the pixels differ by more than --level in some channel
(pictures drawn from Float64 results on another kernel path may move a colour or a printed digit by one step),
1 otherwise, with the figures on stderr.
"""
import argparse
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour != 2 or interlace != 0:
                raise SystemExit(f"{path}: only 8-bit RGB, non-interlaced PNGs are compared")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, previous = zlib.decompress(idat), width * 3, [], bytearray(width * 3)
    for r in range(height):
        kind, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = previous[i]
            c = previous[i - 3] if i >= 3 else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--max-share", type=float, default=0.01)
    parser.add_argument("--level", type=int, default=8)
    args = parser.parse_args()
    wa, ha, ra = decode(args.a)
    wb, hb, rb = decode(args.b)
    if (wa, ha) != (wb, hb):
        print(f"sizes differ: {wa}x{ha} vs {wb}x{hb}", file=sys.stderr)
        return 1
    differing = sum(1 for y in range(ha) for x in range(wa)
                    if max(abs(ra[y][3 * x + k] - rb[y][3 * x + k]) for k in range(3)) > args.level)
    share = differing / (wa * ha)
    if share > args.max_share:
        print(f"{differing} of {wa * ha} pixels differ by more than {args.level} ({share:.2%})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""External cross-check of a PNG written by the Visualization module (not run by CI).

Decodes the file with Python's own zlib and struct, independently of the Swift encoder and of the Swift test reader:
walks the chunks and verifies each CRC-32, checks IHDR (8-bit RGB, no interlace), inflates the concatenated IDAT data
with zlib (which also checks the Adler-32 trailer), undoes any of the five PNG row filters, and, given --cell-size,
checks that every cell is one uniform colour and prints the matrix of cell colours as #rrggbb.

Usage:
    python3 Scripts/check_heatmap_png.py weights.png [--cell-size 24] [--grid]
Exit status 0 when the file is valid, 1 with a message otherwise.
"""
import argparse
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def fail(message):
    print(f"check_heatmap_png: {message}", file=sys.stderr)
    sys.exit(1)


def read_chunks(data):
    if not data.startswith(SIGNATURE):
        fail("missing PNG signature")
    at, chunks = len(SIGNATURE), []
    while at < len(data):
        if at + 12 > len(data):
            fail(f"truncated chunk header at byte {at}")
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            fail(f"CRC mismatch in {kind.decode('latin-1')} chunk at byte {at}")
        chunks.append((kind.decode("latin-1"), body))
        at += 12 + length
    return chunks


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def unfilter(raw, width, height, bpp=3):
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        fail(f"{len(raw)} bytes of scanlines, expected {height * (stride + 1)}")
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            upper_left = previous[i - bpp] if i >= bpp else 0
            if kind == 0:
                predictor = 0
            elif kind == 1:
                predictor = left
            elif kind == 2:
                predictor = up
            elif kind == 3:
                predictor = (left + up) // 2
            elif kind == 4:
                predictor = paeth(left, up, upper_left)
            else:
                fail(f"row {y}: unknown filter type {kind}")
            line[i] = (line[i] + predictor) & 0xFF
        rows.append(line)
        previous = line
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png")
    parser.add_argument("--cell-size", type=int, help="pixels per cell side, to print the cell colours")
    parser.add_argument("--grid", action="store_true", help="the image has 1-px grid lines around cells")
    args = parser.parse_args()

    with open(args.png, "rb") as f:
        chunks = read_chunks(f.read())
    kinds = [k for k, _ in chunks]
    if kinds[0] != "IHDR" or kinds[-1] != "IEND" or "IDAT" not in kinds:
        fail(f"chunk order {kinds}")
    width, height, depth, color, compression, filtering, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if (depth, color, compression, filtering, interlace) != (8, 2, 0, 0, 0):
        fail(f"IHDR depth {depth} colour type {color} interlace {interlace}, expected 8-bit RGB, no interlace")
    stream = b"".join(body for kind, body in chunks if kind == "IDAT")
    try:
        raw = zlib.decompress(stream)  # verifies the Adler-32 trailer
    except zlib.error as e:
        fail(f"zlib: {e}")
    rows = unfilter(raw, width, height)
    print(f"{args.png}: {width} x {height}, 8-bit RGB, {kinds.count('IDAT')} IDAT chunk(s), all CRCs valid")

    if args.cell_size:
        pitch = args.cell_size + (1 if args.grid else 0)
        border = 1 if args.grid else 0
        columns, rows_of_cells = (width - border) // pitch, (height - border) // pitch
        for r in range(rows_of_cells):
            line = []
            for c in range(columns):
                x0, y0 = c * pitch + border, r * pitch + border
                cell = {bytes(rows[y][3 * x:3 * x + 3])
                        for y in range(y0, y0 + args.cell_size) for x in range(x0, x0 + args.cell_size)}
                if len(cell) != 1:
                    fail(f"cell ({r}, {c}) is not one colour: {len(cell)} colours")
                line.append("#" + next(iter(cell)).hex())
            print(" ".join(line))


if __name__ == "__main__":
    main()

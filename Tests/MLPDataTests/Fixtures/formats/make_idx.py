#!/usr/bin/env python3
"""Writes the small IDX fixtures for Tests/MLPDataTests (standard library only):

    cd Tests/MLPDataTests/Fixtures/formats && python3 make_idx.py

idx-mini/  an MNIST-style folder, mixing raw and gzip files as a loader must accept:
    train-images-idx3-ubyte       raw   [6, 3, 2]  pixel (i, r, c) = (i * 37 + r * 11 + c * 5) % 256
    train-labels-idx1-ubyte.gz    gzip  [6]        label i = i % 4
    t10k-images-idx3-ubyte.gz     gzip  [2, 3, 2]  same formula with i = 100 + item, written as two
                                                   concatenated gzip members (as `cat a.gz b.gz`)
    t10k-labels-idx1-ubyte        raw   [2]        labels 3, 1
idx-bad/   gzip files that must be rejected:
    bomb.gz        a header claiming [4294967295] bytes and no data (26 compressed bytes)
    cut.gz         a valid gzip file of 2000 elements cut to half its length
    short.gz       claims [10], holds 5 data bytes
    long.gz        claims [10], holds 12 data bytes
    garbage.gz     the gzip magic followed by bytes that are not deflate data
gzip output is made with mtime=0, so reruns give identical files.
"""
import gzip
import os
import struct


def idx(dimensions, data):
    header = bytes([0, 0, 0x08, len(dimensions)]) + b"".join(struct.pack(">I", d) for d in dimensions)
    return header + bytes(data)


def pixels(items, first_item=0):
    return [((first_item + i) * 37 + r * 11 + c * 5) % 256 for i in range(items) for r in range(3) for c in range(2)]


def gz(data):
    return gzip.compress(data, mtime=0)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    write("idx-mini/train-images-idx3-ubyte", idx([6, 3, 2], pixels(6)))
    write("idx-mini/train-labels-idx1-ubyte.gz", gz(idx([6], [i % 4 for i in range(6)])))
    test_images = idx([2, 3, 2], pixels(2, first_item=100))
    write("idx-mini/t10k-images-idx3-ubyte.gz", gz(test_images[:9]) + gz(test_images[9:]))
    write("idx-mini/t10k-labels-idx1-ubyte", idx([2], [3, 1]))

    write("idx-bad/bomb.gz", gz(bytes([0, 0, 8, 1, 0xFF, 0xFF, 0xFF, 0xFF])))
    big = gz(idx([2000], [i % 251 for i in range(2000)]))
    write("idx-bad/cut.gz", big[: len(big) // 2])
    write("idx-bad/short.gz", gz(idx([10], range(5))))
    write("idx-bad/long.gz", gz(idx([10], range(12))))
    write("idx-bad/garbage.gz", bytes([0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF]) + bytes(range(7, 60, 3)))
    print("wrote idx-mini/ and idx-bad/")


if __name__ == "__main__":
    main()

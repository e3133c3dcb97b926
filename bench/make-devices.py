#!/usr/bin/env python3
"""Writes an lspci -xxxx file of N devices with unique addresses, cycling through the 4 KiB
dumps of a corpus directory (only those whose file name contains MATCH, when given) of
functions vfio-pci binds: header type 0 (bridges are not assignable, and a function that did not
respond reads header type 0xff).
Usage: make-devices.py CORPUS_DUMPS_DIR N OUT [MATCH]"""
import os
import re
import sys

HEADER = re.compile(r'^([0-9a-fA-F]{4,5}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7] (.*)$')
HEX = re.compile(r'^[0-9a-f]{2,3}: ')


def assignable(lines):
    """Header type 0 (bits 6:0 of the byte at 0x0e, on the first hex line)."""
    return int(lines[0].split()[1 + 0x0e], 16) & 0x7f == 0


def devices(path):
    """(description, hex lines) of each complete 4 KiB assignable device in an lspci file."""
    out, desc, lines = [], None, []
    with open(path, encoding='latin-1') as f:
        for raw in f:
            line = raw.rstrip('\r\n')
            m = HEADER.match(line)
            if m:
                if desc is not None and len(lines) == 256 and assignable(lines):
                    out.append((desc, lines))
                desc, lines = m.group(2), []
            elif desc is not None and HEX.match(line):
                lines.append(line)
    if desc is not None and len(lines) == 256 and assignable(lines):
        out.append((desc, lines))
    return out


def main():
    corpus, count, target = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    match = sys.argv[4] if len(sys.argv) > 4 else ''
    pool = []
    for name in sorted(os.listdir(corpus)):
        if name.endswith('.lspci') and match in name:
            pool.extend(devices(os.path.join(corpus, name)))
    if not pool:
        sys.exit('no 4 KiB devices in ' + corpus)
    with open(target, 'w', encoding='latin-1') as out:
        for i in range(count):
            desc, lines = pool[i % len(pool)]
            domain, bus, dev, fn = i >> 16, (i >> 8) & 0xff, (i >> 3) & 0x1f, i & 7
            out.write('%04x:%02x:%02x.%x %s\n' % (domain, bus, dev, fn, desc))
            out.write('\n'.join(lines))
            out.write('\n\n')
    print('%s: %d devices from %d distinct 4 KiB dumps' % (target, count, len(pool)), file=sys.stderr)


main()

#!/usr/bin/env python3
# OpenPGP framing for hostile test inputs (tests/crypto/fixture.sh): no
# cryptography here, only packet headers around packets gpg made, and
# zlib for the compressed-data packet (RFC 4880 5.6, algorithm 1).
#   pgpgen.py compress < BINARY          compressed{BINARY's packets}
#   pgpgen.py manysig N < SIGNED         N one-pass signatures, the
#       literal, N signatures, from an uncompressed gpg --sign output
#   pgpgen.py uid [BINARY] < BINARY      a user id packet, then BINARY
# Output: binary on stdout; armor it with "armor" as the last argument.
import base64
import sys
import zlib


def hdr(tag, n):
    if n < 192:
        ln = bytes([n])
    elif n < 8384:
        ln = bytes([((n - 192) >> 8) + 192, (n - 192) & 0xff])
    else:
        ln = b'\xff' + n.to_bytes(4, 'big')
    return bytes([0xc0 | tag]) + ln


def pkt(tag, body):
    return hdr(tag, len(body)) + body


def parse(d):
    out, i = [], 0
    while i < len(d):
        c = d[i]
        i += 1
        if c & 0x40:
            tag, o = c & 0x3f, d[i]
            if o < 192:
                n, i = o, i + 1
            elif o < 224:
                n, i = ((o - 192) << 8) + d[i + 1] + 192, i + 2
            elif o == 255:
                n, i = int.from_bytes(d[i + 1:i + 5], 'big'), i + 5
            else:
                raise SystemExit('partial lengths not supported')
        else:
            tag, lt = (c >> 2) & 0xf, c & 3
            if lt == 3:
                n = len(d) - i
            else:
                k = [1, 2, 4][lt]
                n, i = int.from_bytes(d[i:i + k], 'big'), i + k
        out.append((tag, d[i:i + n]))
        i += n
    return out


def crc24(d):
    crc = 0xB704CE
    for b in d:
        crc ^= b << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def armor(d):
    b = base64.b64encode(d).decode()
    lines = '\n'.join(b[i:i + 64] for i in range(0, len(b), 64))
    c = base64.b64encode(crc24(d).to_bytes(3, 'big')).decode()
    return ('-----BEGIN PGP MESSAGE-----\n\n%s\n=%s\n'
            '-----END PGP MESSAGE-----\n' % (lines, c)).encode()


def main():
    args = sys.argv[1:]
    arm = args and args[-1] == 'armor'
    if arm:
        args = args[:-1]
    src = sys.stdin.buffer.read()
    if args[0] == 'compress':
        z = zlib.compressobj(9, zlib.DEFLATED, -15)
        out = pkt(8, b'\x01' + z.compress(src) + z.flush())
    elif args[0] == 'manysig':
        n = int(args[1])
        p = parse(src)
        ops = [b for t, b in p if t == 4][0]
        lit = [b for t, b in p if t == 11][0]
        sig = [b for t, b in p if t == 2][0]
        # the last one-pass signature says "last"; the others nest
        out = (pkt(4, ops[:-1] + b'\x00') * (n - 1) + pkt(4, ops) +
               pkt(11, lit) + pkt(2, sig) * n)
    elif args[0] == 'uid':
        out = pkt(13, b'Mallory <m@evil.test>') + src
    else:
        raise SystemExit('usage')
    sys.stdout.buffer.write(armor(out) if arm else out)


main()

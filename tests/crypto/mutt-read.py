#!/usr/bin/env python3
"""Read one message in mutt's pager on a pty, as a member would.

mutt (2.2) does no crypto in batch mode, so reading the hub's output in
a real client needs the interactive path (as mutt-compose.py does for
composing): the .eml becomes a one-message mbox in WORKDIR, mutt opens
it with a muttrc written there (GPGME, crypt_verify_sig, the keys of
$GNUPGHOME), Enter opens the message, and the pager screen (the pty
output replayed on a small vt100 model, since curses only redraws the
cells that change) must show the decrypted BODY text and mutt's
"Good signature from:" line naming SIGNER, with no "*BAD*", "Problem
signature" or "WARNING:" (key not valid) line.  Then q, q.  Keys are
sent when the screen shows the index or the pager (marked status
lines), not on timers; 30 s in all; mutt is killed at the end whatever
happened.

Exit 0 when all was seen, 1 when something was missing (said on
stdout, the last screen on stderr), 2 on misuse.

usage: GNUPGHOME=dir mutt-read.py WORKDIR MSG.eml BODY SIGNER
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

IDX = "idx-ready"
PAGER = "pager-ready"
ROWS, COLS = 60, 160
GOOD = "Good signature from:"
TOKEN = re.compile(r"\x1b\[[?>]?([0-9;]*)[ -/]*([@-~])|\x1b[()][0-9A-Za-z]"
                   r"|\x1b(.)|(.)", re.S)


def screen(raw):
    """What a vt100 shows after raw: curses redraws only the cells that
    change, so the stream itself cannot be searched for whole lines."""
    g = [[" "] * COLS for _ in range(ROWS)]
    y = x = top = 0
    bot = ROWS - 1
    wrap = False
    saved = (0, 0)

    def scroll(n):		# n > 0 up, n < 0 down, inside the region
        for _ in range(abs(n)):
            if n > 0:
                del g[top]
                g.insert(bot, [" "] * COLS)
            else:
                del g[bot]
                g.insert(top, [" "] * COLS)

    def lf():
        nonlocal y
        if y == bot:
            scroll(1)
        elif y < ROWS - 1:
            y += 1

    for m in TOKEN.finditer(raw.decode("utf-8", "replace")):
        args, fin, esc, ch = m.groups()
        if fin is not None:
            p = [int(a) if a else 0 for a in args.split(";")]
            n = max(p[0], 1)
            wrap = False
            if fin in "Hf":
                y = min(max(p[0], 1), ROWS) - 1
                x = min(max(p[1] if len(p) > 1 else 1, 1), COLS) - 1
            elif fin == "A":
                y = max(y - n, 0)
            elif fin == "B":
                y = min(y + n, ROWS - 1)
            elif fin == "C":
                x = min(x + n, COLS - 1)
            elif fin == "D":
                x = max(x - n, 0)
            elif fin == "G":
                x = min(n, COLS) - 1
            elif fin == "d":
                y = min(n, ROWS) - 1
            elif fin == "J":
                rows = {0: range(y + 1, ROWS), 1: range(0, y),
                        2: range(ROWS)}.get(p[0], [])
                for r in rows:
                    g[r] = [" "] * COLS
                if p[0] == 0:
                    g[y][x:] = [" "] * (COLS - x)
                elif p[0] == 1:
                    g[y][:x + 1] = [" "] * (x + 1)
            elif fin == "K":
                if p[0] == 0:
                    g[y][x:] = [" "] * (COLS - x)
                elif p[0] == 1:
                    g[y][:x + 1] = [" "] * (x + 1)
                else:
                    g[y] = [" "] * COLS
            elif fin == "X":
                g[y][x:x + n] = [" "] * len(g[y][x:x + n])
            elif fin == "P":
                del g[y][x:x + n]
                g[y] += [" "] * (COLS - len(g[y]))
            elif fin == "@":
                g[y][x:x] = [" "] * n
                del g[y][COLS:]
            elif fin in "LM" and top <= y <= bot:
                t, top = top, y
                scroll(n if fin == "M" else -n)
                top = t
            elif fin == "r":
                top = max(p[0], 1) - 1
                bot = (p[1] if len(p) > 1 and p[1] else ROWS) - 1
                y = x = 0
        elif esc is not None:
            if esc in "DE":
                lf()
                if esc == "E":
                    x = 0
            elif esc == "M":
                if y == top:
                    scroll(-1)
                elif y > 0:
                    y -= 1
            elif esc == "7":
                saved = (y, x)
            elif esc == "8":
                y, x = saved
            wrap = False
        elif ch is None:		# charset selection
            pass
        elif ch == "\r":
            x, wrap = 0, False
        elif ch in "\n\x0b\x0c":
            lf()
            wrap = False
        elif ch == "\b":
            x, wrap = max(x - 1, 0), False
        elif ch == "\t":
            x = min((x // 8 + 1) * 8, COLS - 1)
        elif ch >= " " and ch != "\x7f":
            if wrap:
                x, wrap = 0, False
                lf()
            g[y][x] = ch
            if x == COLS - 1:
                wrap = True
            else:
                x += 1
    return ["".join(r).rstrip() for r in g]


def shows(lines, marker):
    return any(l.startswith(marker) for l in lines)


def write_files(work, eml):
    with open(eml, "rb") as f:
        msg = f.read().replace(b"\r\n", b"\n")
    if not msg.endswith(b"\n"):
        msg += b"\n"
    mbox = os.path.join(work, "mbox")
    with open(mbox, "wb") as f:
        f.write(b"From hub@hub.test Mon Nov 23 10:00:00 2026\n")
        # mboxrd: quote body lines that start with "From "
        f.write(re.sub(rb"(?m)^(>*From )", rb">\1", msg))
        f.write(b"\n")
    tmp = os.path.join(work, "tmp")
    os.makedirs(tmp, exist_ok=True)
    rc = os.path.join(work, "muttrc")
    with open(rc, "w") as f:
        f.write("""set crypt_use_gpgme=yes
set crypt_verify_sig=yes
set crypt_replyencrypt=no
set pgp_auto_decode=yes
set crypt_protected_headers_read=yes
set crypt_protected_headers_save=no
set mbox_type=mbox
set read_only=yes
set move=no
set quit=yes
set wait_key=no
set beep=no
set mark_old=no
set pager_index_lines=0
set pager_stop=yes
set sleep_time=0
set timeout=1
set tmpdir={tmp}
set folder={work}
set spoolfile={mbox}
set record=""
set postpone=no
set header_cache=""
set message_cachedir=""
set charset=utf-8
set status_format="{idx} %m msgs"
set pager_format="{pager} %C/%m (%P)"
""".format(tmp=tmp, work=work, mbox=mbox, idx=IDX, pager=PAGER))
    return rc, mbox


def main(argv):
    if len(argv) != 4 or not os.environ.get("GNUPGHOME"):
        sys.stderr.write(__doc__.split("usage: ")[1])
        return 2
    work, eml, body, signer = argv
    rc, mbox = write_files(work, eml)
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ,
                    struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.environ["TERM"] = "vt100"
        os.environ["HOME"] = work
        os.environ["LINES"] = str(ROWS)
        os.environ["COLUMNS"] = str(COLS)
        os.execvp("mutt", ["mutt", "-n", "-F", rc, "-f", mbox])
    raw = b""		# all mutt wrote
    step = 0		# 0 wait index, 1 wait pager, 2 wait index, 3 quit
    lines = pager = []
    deadline = time.time() + 30
    exited = False
    try:
        while time.time() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if not r:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            if not data:
                exited = True
                break
            raw += data
            lines = screen(raw)
            if step == 0 and shows(lines, IDX):
                os.write(fd, b"\r")			# open the message
                step = 1
            elif step == 1 and shows(lines, PAGER):
                # the status line comes after the text; let any status
                # message settle (0.2 s of quiet): that is the screen
                while select.select([fd], [], [], 0.2)[0]:
                    try:
                        data = os.read(fd, 65536)
                    except OSError:
                        data = b""
                    if not data:
                        break
                    raw += data
                pager = lines = screen(raw)
                os.write(fd, b"q")			# back to the index
                step = 2
            elif (step == 2 and shows(lines, IDX) and
                  not shows(lines, PAGER)):
                os.write(fd, b"q")			# leave mutt
                step = 3
    finally:
        # whatever happened (even an error here), mutt goes
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)

    missing = []
    lines, last = [l for l in pager if l.strip()], lines
    if step < 2:
        missing.append("the pager (step %d)" % step)
    if not any(body in l for l in lines):
        missing.append("decrypted body %r" % body)
    sig = [l for l in lines if GOOD in l]
    if not any(signer in l for l in sig):
        missing.append("%r line naming %r" % (GOOD, signer))
    bad = [l for l in lines if "*BAD* signature" in l or
           "Problem signature" in l or l.startswith("WARNING:")]
    if bad:
        # e.g. "WARNING: We have NO indication whether the key belongs
        # to the person named as shown above": the key is not valid
        missing.append("no bad or unvalidated signature (saw %r)" % bad[0])
    if not exited:
        missing.append("mutt quitting (step %d)" % step)
    if missing:
        print("mutt-read %s: missing %s" % (os.path.basename(eml),
                                            "; ".join(missing)))
        sys.stderr.write("--- last screen (mutt-read %s) ---\n" % eml)
        sys.stderr.write("\n".join(l for l in (pager or last)
                                    if l.strip()) + "\n")
        return 1
    print("mutt-read %s: %s | %s" % (os.path.basename(eml), sig[0],
                                     [l for l in lines if body in l][0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Drive mutt's compose screen on a pty, as a person would.

mutt (2.2) does no crypto in batch mode, so a real-client sample needs
the interactive path: `mutt -H draft` asks To: and Subject: (Enter keeps
the draft's), shows the compose menu with the Security line from the
muttrc (crypt_autosign/crypt_autoencrypt, pgp_autoinline), and 'y'
sends through $sendmail.  Keys are sent when the screen asks for them,
not on a timer.  Exit 0 when mutt says "Mail sent", 1 otherwise.

usage: mutt-compose.py mutt -n -F muttrc -H draft
"""
import os
import pty
import select
import sys
import time

STEPS = [(b"To: ", b"\r"), (b"Subject: ", b"\r"), (b"Mutt: Compose", b"y")]


def main(argv):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "vt100"
        os.execvp(argv[0], argv)
    screen = b""
    step = 0
    sent = False
    deadline = time.time() + 30
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        screen += data
        if b"Mail sent" in screen:
            sent = True
            break
        # the compose screen also shows "To: " and "Subject: ": look
        # for it first, then for the single-line prompts before it
        for i in range(len(STEPS) - 1, step - 1, -1):
            if STEPS[i][0] in screen:
                time.sleep(0.2)
                os.write(fd, STEPS[i][1])
                screen = b""
                step = i + 1
                break
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    if not sent:
        sys.stderr.write("mutt-compose: no 'Mail sent' (step %d)\n" % step)
        sys.stderr.write(screen.decode("latin1")[-400:] + "\n")
    return 0 if sent else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""verify-part.py GNUPGHOME: read a decrypted RFC 3156 entity on stdin (a
multipart/signed, possibly behind protected headers), verify its detached
signature with gpg in GNUPGHOME and print the signing key's fingerprint
(VALIDSIG), or "bad" / "unsigned".  Used by tools/quickstart; the signed
content goes to gpg through a pipe, so no plaintext is written to disk."""
import email
import email.policy
import os
import subprocess
import sys
import tempfile

raw = sys.stdin.buffer.read()
m = email.message_from_bytes(raw, policy=email.policy.compat32)
if m.get_content_type() != "multipart/signed":
    print("unsigned")
    sys.exit(0)
b = m.get_boundary().encode()
lines = raw.replace(b"\r\n", b"\n").split(b"\n")
marks = [i for i, l in enumerate(lines)
         if l.rstrip() in (b"--" + b, b"--" + b + b"--")]
if len(marks) < 3:
    print("bad")
    sys.exit(0)
signed = b"\r\n".join(lines[marks[0] + 1:marks[1]])
sig = m.get_payload()[1].get_payload(decode=True)
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "sig.asc")	# the signature only
    with open(path, "wb") as f:
        f.write(sig)
    p = subprocess.run(["gpg", "--homedir", sys.argv[1], "--batch",
                        "--status-fd", "1", "--verify", path, "-"],
                       input=signed, capture_output=True)
fpr = [l.split()[2] for l in p.stdout.decode().splitlines()
       if l.startswith("[GNUPG:] VALIDSIG")]
print(fpr[0] if p.returncode == 0 and fpr else "bad")

#!/usr/bin/env python3
"""sink.py: a small ESMTP server that stores what it accepts, for tests.

    sink.py --port-file F --dir D [--mode MODE] [--port P] [--delay S]
            [--auth USER:PASSWORD]

Binds 127.0.0.1 on an ephemeral port (or P, to come back on the port a
test's smarthost setting names) and writes the port into F (atomically: a
test polls for F).  --delay waits S seconds (a float) before answering the
end of each message, so a test can catch a client mid-batch.  --auth
offers AUTH PLAIN, refuses MAIL before it, and records "auth USER" in
each .env.  Each accepted message becomes D/NNNNNN.eml (the data,
dot-unstuffed, CRLF line ends kept) and D/NNNNNN.env ("from X" and one
"rcpt Y" line per recipient), each written to a temporary name and renamed,
the .env last, so a test that sees an .env sees a whole message.

MODE:
    ok                  accept everything (default)
    tempfail            451 to every RCPT
    permfail            550 to every RCPT
    tempfail-first N    451 to the first N RCPTs, then accept
    permfail-rcpt A     550 to RCPT TO:<A> (any case), accept the others;
                        with SINK_REPLY=verp the reply names the VERP
                        sender (list-bounces+LOCAL=DOMAIN@hub.test), with
                        SINK_REPLY=long the address comes after 238 octets
    down-after N        accept N messages, then close everything and exit
    no-accept           listen but never accept, the accept queue kept full
                        by a connection of its own: connects then hang
                        (Linux drops the SYNs), as to a blackholed host
    silent              accept connections, never send the greeting
    stall-data          answer DATA with 354, read the message, never
                        answer the final dot (nor store the message)
    stall-xfer S        in the first message, stop reading for S seconds
                        after 64 KiB of its data, with a small receive
                        buffer so the client's writes block; then go on
                        as ok (a message whose client hung up before the
                        final dot is not stored)

Commands may be pipelined: they are read and answered line by line.
SIGTERM exits cleanly (status 0).  Python standard library only.
"""

import argparse
import base64
import os
import signal
import socket
import socketserver
import sys
import threading
import time

MAX_LINE = 64 * 1024
STALL_AFTER = 64 * 1024


class State:
    def __init__(self, args):
        self.dir = args.dir
        mode = args.mode.split()
        self.mode = mode[0]
        self.arg = mode[1] if len(mode) > 1 else ""
        self.n = int(mode[1]) if len(mode) > 1 and mode[1].isdigit() else 0
        self.lock = threading.Lock()
        self.seq = 0        # messages stored
        self.rcpts = 0      # RCPT commands seen
        self.server = None
        self.delay = args.delay
        self.auth = args.auth
        self.stalled = False    # stall-xfer: the one stall happened

    def rcpt_reply(self, rcpt=""):
        with self.lock:
            self.rcpts += 1
            count = self.rcpts
        if self.mode == "tempfail":
            return b"451 4.3.0 try again later\r\n"
        if self.mode == "permfail":
            return b"550 5.1.1 no such user here\r\n"
        if self.mode == "tempfail-first" and count <= self.n:
            return b"451 4.3.0 try again later\r\n"
        if self.mode == "permfail-rcpt" and rcpt.lower() == self.arg.lower():
            how = os.environ.get("SINK_REPLY", "")
            if how == "verp":
                return (b"550 5.7.1 <ops-bounces+%s@hub.test>: Sender "
                        b"address rejected: undeliverable\r\n"
                        % rcpt.replace("@", "=").encode())
            if how == "long":
                return (b"550 5.1.1 " + b"x" * 238 +
                        b" <%s>: no such user\r\n" % rcpt.encode())
            return b"550 5.1.1 <%s>: no such user here\r\n" % rcpt.encode()
        return b"250 2.1.5 ok\r\n"

    def take_stall(self):
        """stall-xfer: the seconds this message stalls for, once."""
        with self.lock:
            if self.mode != "stall-xfer" or self.stalled:
                return 0
            self.stalled = True
            return self.n

    def store(self, mail_from, rcpts, data, user=None):
        with self.lock:
            self.seq += 1
            seq = self.seq
        base = os.path.join(self.dir, "%06d" % seq)
        env = "from %s\n" % mail_from + "".join("rcpt %s\n" % r
                                                 for r in rcpts)
        if user is not None:
            env += "auth %s\n" % user
        for suffix, content in ((".eml", data), (".env", env.encode())):
            tmp = base + suffix + ".tmp"
            with open(tmp, "wb") as f:
                f.write(content)
                f.flush()
            os.rename(tmp, base + suffix)
        return seq


def address(arg):
    """The address inside <...> of a MAIL FROM:/RCPT TO: argument."""
    start, end = arg.find(b"<"), arg.find(b">")
    if start < 0 or end < start:
        return None
    return arg[start + 1:end].decode("ascii", "replace")


class Handler(socketserver.StreamRequestHandler):
    # Replies to pipelined commands are separate small writes: with Nagle
    # each waits for the client's delayed ACK (~40 ms a message).
    disable_nagle_algorithm = True

    def reply(self, text):
        self.wfile.write(text)

    def read_data(self, stall=0):
        lines, got = [], 0
        while True:
            line = self.rfile.readline(MAX_LINE)
            if not line:
                return None
            got += len(line)
            if stall and got >= STALL_AFTER:
                time.sleep(stall)
                stall = 0
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            if line.startswith(b"."):
                line = line[1:]
            lines.append(line)

    def auth_plain(self, arg):
        """AUTH PLAIN [initial-response]: the user, or None."""
        if not arg:
            self.reply(b"334 \r\n")
            arg = self.rfile.readline(MAX_LINE).strip()
        try:
            _, user, password = base64.b64decode(arg).split(b"\0")
        except ValueError:
            return None
        want = self.server.state.auth.encode()
        if user + b":" + password != want:
            return None
        return user.decode()

    def handle(self):
        st = self.server.state
        mail_from, rcpts, user = None, [], None
        if st.mode == "silent":
            # Connected, then nothing: read until the client gives up.
            while self.rfile.readline(MAX_LINE):
                pass
            return
        self.reply(b"220 sink.test ESMTP test sink\r\n")
        while True:
            line = self.rfile.readline(MAX_LINE)
            if not line:
                return
            cmd = line.rstrip(b"\r\n")
            verb = cmd[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                mail_from, rcpts = None, []
                if verb == b"EHLO":
                    self.reply(b"250-sink.test\r\n250-PIPELINING\r\n"
                               b"250-8BITMIME\r\n")
                    if st.auth:
                        self.reply(b"250-AUTH PLAIN\r\n")
                    self.reply(b"250 SIZE 1073741824\r\n")
                else:
                    self.reply(b"250 sink.test\r\n")
            elif verb == b"AUTH" and st.auth and user is None:
                words = cmd.split()
                if len(words) < 2 or words[1].upper() != b"PLAIN":
                    self.reply(b"504 5.5.4 PLAIN only\r\n")
                    continue
                user = self.auth_plain(words[2] if len(words) > 2 else None)
                if user is None:
                    self.reply(b"535 5.7.8 authentication failed\r\n")
                else:
                    self.reply(b"235 2.7.0 ok\r\n")
            elif verb == b"MAIL" and st.auth and user is None:
                self.reply(b"530 5.7.0 authentication required\r\n")
            elif verb == b"MAIL":
                mail_from, rcpts = address(cmd[5:]), []
                if mail_from is None:
                    self.reply(b"501 5.5.4 syntax\r\n")
                else:
                    self.reply(b"250 2.1.0 ok\r\n")
            elif verb == b"RCPT":
                rcpt = address(cmd[3:])
                if mail_from is None or rcpt is None:
                    self.reply(b"503 5.5.1 MAIL first\r\n")
                    continue
                text = st.rcpt_reply(rcpt)
                if text.startswith(b"250"):
                    rcpts.append(rcpt)
                self.reply(text)
            elif verb == b"DATA":
                if not rcpts:
                    self.reply(b"554 5.5.1 no valid recipients\r\n")
                    continue
                self.reply(b"354 go ahead\r\n")
                data = self.read_data(st.take_stall())
                if data is None:
                    return
                if st.mode == "stall-data":
                    # Never a reply to the dot, until the client hangs up.
                    while self.rfile.readline(MAX_LINE):
                        pass
                    return
                seq = st.store(mail_from, rcpts, data, user)
                # After storing: a client killed now re-sends a message
                # we hold, the duplicate the relay's contract allows.
                if st.delay > 0:
                    time.sleep(st.delay)
                self.reply(b"250 2.0.0 ok %06d\r\n" % seq)
                self.wfile.flush()
                mail_from, rcpts = None, []
                if st.mode == "down-after" and seq >= st.n:
                    # Gone as a crashed smarthost is: no QUIT, no port.
                    os._exit(0)
            elif verb == b"RSET":
                mail_from, rcpts = None, []
                self.reply(b"250 2.0.0 ok\r\n")
            elif verb == b"NOOP":
                self.reply(b"250 2.0.0 ok\r\n")
            elif verb == b"QUIT":
                self.reply(b"221 2.0.0 bye\r\n")
                return
            else:
                self.reply(b"500 5.5.2 unknown command\r\n")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    rcvbuf = 0      # stall-xfer: a small window, so the client's writes block

    def server_bind(self):
        # Before listen(), so accepted sockets inherit it (and the window
        # scale agreed at the handshake stays small).
        if self.rcvbuf:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                                   self.rcvbuf)
        super().server_bind()


def no_accept(args):
    """Listen, never accept; one connection of our own fills the accept
    queue of a backlog of 0, so further SYNs are dropped unanswered."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(0)
    filler = socket.create_connection(ls.getsockname(), timeout=5)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(tmp, args.port_file)
    while not stop.wait(0.1):
        pass
    filler.close()
    ls.close()
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--auth")
    ap.add_argument("n", nargs="?", help="N for the modes that take one")
    args = ap.parse_args()
    if args.n is not None:
        args.mode = "%s %s" % (args.mode, args.n)
    state = State(args)
    if state.mode not in ("ok", "tempfail", "permfail", "tempfail-first",
                          "permfail-rcpt",
                          "down-after", "no-accept", "silent", "stall-data",
                          "stall-xfer"):
        ap.error("unknown mode %r" % state.mode)
    os.makedirs(args.dir, exist_ok=True)
    if state.mode == "no-accept":
        return no_accept(args)
    if state.mode == "stall-xfer":
        Server.rcvbuf = 4096
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = state
    state.server = srv

    def on_term(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

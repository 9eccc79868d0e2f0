"""A local SMTP server that accepts every message and counts them per recipient: the far end of
the mail pipeline in the worker tests and benchmarks/mail.py. Enough of RFC 5321 for smtplib
(EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), one thread per connection. `delay` seconds are
spent before each message is accepted: a slow server, so that a kill lands in the middle of a batch.
A message counts once its final "." has arrived, before the "250" reply, as a real server commits it.
With `keep=True` it also keeps every message as received (envelope recipients and bytes, dots
unstuffed); a recipient in `refuse` is answered 550, as a server refuses an unknown mailbox."""

import socketserver
import threading
import time
from collections import Counter


class SmtpSink:
    def __init__(
        self, *, delay: float = 0.0, host: str = "127.0.0.1", port: int = 0, keep: bool = False, refuse=()
    ):
        self.delay = delay
        self.keep = keep
        self.refuse = {address.lower() for address in refuse}
        self.messages = []  # (envelope recipients, message bytes), with keep=True
        self.received = Counter()  # recipient address -> messages accepted for it
        self.sessions = 0
        self._lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                with sink._lock:
                    sink.sessions += 1
                self.wfile.write(b"220 sink ESMTP\r\n")
                recipients = []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.wfile.write(
                            b"250-sink\r\n250 8BITMIME\r\n" if verb == b"EHLO" else b"250 sink\r\n"
                        )
                    elif verb == b"MAIL":
                        recipients = []
                        self.wfile.write(b"250 OK\r\n")
                    elif verb == b"RCPT":
                        address = line.split(b":", 1)[1].strip().split(b" ")[0].strip(b"<>").decode()
                        if address.lower() in sink.refuse:
                            self.wfile.write(b"550 no such mailbox\r\n")
                            continue
                        recipients.append(address.lower())
                        self.wfile.write(b"250 OK\r\n")
                    elif verb == b"DATA":
                        self.wfile.write(b"354 go ahead\r\n")
                        # Read in large chunks up to the final ".": a line at a time, the sink
                        # (one Python process) became the bottleneck of benchmarks/mail.py.
                        data, whole = b"\r\n", [b"\r\n"]
                        while not data.endswith(b"\r\n.\r\n"):
                            chunk = self.rfile.read1(65536)
                            if not chunk:
                                return  # the client went away mid-message: nothing was accepted
                            data = data[-4:] + chunk
                            if sink.keep:
                                whole.append(chunk)
                        if sink.delay:
                            time.sleep(sink.delay)  # the slow server the test asked for
                        with sink._lock:
                            sink.received.update(recipients)
                            if sink.keep:
                                text = b"".join(whole)[2:-5].replace(b"\r\n..", b"\r\n.")
                                sink.messages.append((list(recipients), text + b"\r\n"))
                        recipients = []
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:  # RSET, NOOP and anything else
                        recipients = [] if verb == b"RSET" else recipients
                        self.wfile.write(b"250 OK\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        self._server = Server((host, port), Handler)
        self.host, self.port = self._server.server_address[:2]
        # A short poll: stop() returns within 50 ms instead of half a second (every test with a sink).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def email_url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def total(self) -> int:
        with self._lock:
            return sum(self.received.values())

    def counts(self) -> Counter:
        with self._lock:
            return Counter(self.received)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

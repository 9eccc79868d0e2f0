"""The scanner hook: clamd over its socket when PORTAIL_CLAMD_SOCKET is set, otherwise a scanner that
flags only the EICAR test string (development and tests).

clamd is spoken to with the standard library: INSTREAM is four lines of protocol, and the clients on
PyPI (python-clamd, pyclamd) are unmaintained and read the stream their own way. Blocks are sent as they
are read from storage, so the scan holds one block in memory, never the file."""

import socket
import struct
from dataclasses import dataclass

from django.conf import settings

# The industry's harmless test file: every antivirus flags it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD_CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (down, timed out, stream over its limit)."""


@dataclass(frozen=True)
class Verdict:
    flagged: bool
    signature: str = ""


class EicarSession:
    def __init__(self):
        self.tail = b""
        self.found = False

    def feed(self, data: bytes) -> None:
        if self.found:
            return
        window = self.tail + data
        self.found = EICAR in window
        # Keep enough of the end to catch the string across two blocks.
        self.tail = window[-(len(EICAR) - 1) :]

    def close(self) -> Verdict:
        return Verdict(True, "Eicar-Test-Signature") if self.found else Verdict(False)


class ClamdSession:
    def __init__(self, address: str, timeout: float):
        try:
            if address.startswith("/"):
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(address)
            else:
                host, _, port = address.rpartition(":")
                self.sock = socket.create_connection((host, int(port)), timeout=timeout)
            self.sock.sendall(b"zINSTREAM\0")
        except OSError as error:
            raise ScannerUnavailable(f"clamd at {address}: {error}") from error
        self.broken = False

    def feed(self, data: bytes) -> None:
        if self.broken:
            return
        try:
            for start in range(0, len(data), CLAMD_CHUNK):
                piece = data[start : start + CLAMD_CHUNK]
                self.sock.sendall(struct.pack("!L", len(piece)) + piece)
        except OSError:
            # clamd closes the stream when it passes StreamMaxLength; its reply says so in close().
            self.broken = True

    def close(self) -> Verdict:
        try:
            if not self.broken:
                self.sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = self.sock.recv(4096)
                if not data:
                    break
                reply += data
        except OSError as error:
            raise ScannerUnavailable(f"clamd: {error}") from error
        finally:
            self.sock.close()
        text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        if text.endswith("FOUND"):
            signature = text.removeprefix("stream:").removesuffix("FOUND").strip()
            return Verdict(True, signature)
        if text.endswith(": OK"):
            return Verdict(False)
        raise ScannerUnavailable(f"clamd answered {text!r}")


def open_session():
    address = settings.PORTAIL_CLAMD_SOCKET
    if address:
        return ClamdSession(address, settings.PORTAIL_CLAMD_TIMEOUT)
    return EicarSession()

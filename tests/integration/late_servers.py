"""late_servers: servers for the real-client tests (test_clients.py,
test_wait.py) that come up late on loopback.

Each reserves its port at once (bound, not listening, so a connect is
refused rather than sent elsewhere) and starts serving after `delay` s.
"""
import http.server
import os
import shutil
import socket
import struct
import subprocess
import threading

from harness import LateServer, Skip


class LateHTTPServer:
    """Python's http.server on 127.0.0.1, listening after `delay` s.
    GET answers `body`."""

    def __init__(self, delay, body=b"hello from late http\n"):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.delay = delay
        self.requests = 0
        self._stop = threading.Event()
        self._server = None
        self._thread = threading.Thread(target=self._serve, daemon=True)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._handler = Handler

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._server:
            self._server.shutdown()
        self._thread.join(5)
        self.sock.close()

    def _serve(self):
        if self._stop.wait(self.delay):
            return
        server = http.server.HTTPServer(("127.0.0.1", self.port), self._handler,
                                        bind_and_activate=False)
        server.socket.close()
        server.socket = self.sock
        server.server_activate()
        self._server = server
        server.serve_forever(poll_interval=0.05)


class LateProcess:
    """A server program started after `delay` s.  `argv(port)` builds its
    command line.  The port stays reserved until the program starts."""

    def __init__(self, delay, argv, cwd=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.delay = delay
        self.argv = argv
        self.cwd = cwd
        self.proc = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._start, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        if self.proc:
            self.proc.kill()
            self.proc.wait(5)
        self.sock.close()

    def _start(self):
        if self._stop.wait(self.delay):
            return
        self.sock.close()
        self.proc = subprocess.Popen(self.argv(self.port), cwd=self.cwd,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)


def late_redis(delay, workdir):
    """redis-server from Debian on 127.0.0.1, started after `delay` s."""
    if not shutil.which("redis-server"):
        raise Skip("redis-server not installed")
    return LateProcess(delay, lambda port: [
        "redis-server", "--port", str(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", workdir,
        "--daemonize", "no"])


class LatePostgresGreeter(LateServer):
    """Speaks just enough of the PostgreSQL protocol for a libpq client
    to show it got through: it reads the startup packet and answers with
    an ErrorResponse naming itself.  Listens after `delay` s."""

    MESSAGE = b"late server reached"

    def handle(self, conn):
        conn.settimeout(2)
        try:
            length = struct.unpack("!I", conn.recv(4))[0]
            packet = conn.recv(length - 4)
            if packet[:4] == struct.pack("!I", 80877103):  # SSLRequest
                conn.sendall(b"N")
                length = struct.unpack("!I", conn.recv(4))[0]
                conn.recv(length - 4)
            fields = b"SFATAL\0C28000\0M" + self.MESSAGE + b"\0\0"
            conn.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
        except struct.error:
            pass

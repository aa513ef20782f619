"""late_servers: servers for the real-client tests (test_clients.py,
test_wait.py) that come up late on loopback.

Each reserves its port at once (bound, not listening, so a connect is
refused rather than sent elsewhere) and starts serving after `delay` s.
"""
import http.server
import shutil
import struct
import subprocess

from harness import Late, LateServer, Skip, reserved_port


class LateHTTPServer(Late):
    """Python's http.server on 127.0.0.1, listening after `delay` s.
    GET answers `body`."""

    def __init__(self, delay, body=b"hello from late http\n"):
        super().__init__(delay, reserved_port())
        self.requests = 0
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

    def come_up(self):
        server = http.server.HTTPServer(("127.0.0.1", self.port), self._handler,
                                        bind_and_activate=False)
        server.socket.close()
        server.socket = self.sock
        server.server_activate()
        server.timeout = 0.05
        while not self.stopping.is_set():
            server.handle_request()


class LateProcess(Late):
    """A server program started after `delay` s.  `argv(port)` builds its
    command line.  The port stays reserved until the program starts."""

    def __init__(self, delay, argv, cwd=None):
        super().__init__(delay, reserved_port())
        self.argv = argv
        self.cwd = cwd
        self.proc = None

    def come_up(self):
        self.sock.close()
        self.proc = subprocess.Popen(self.argv(self.port), cwd=self.cwd,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def stopped(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait(5)


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

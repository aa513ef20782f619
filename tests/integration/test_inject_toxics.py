"""Network toxics: limit= (a reset after N bytes), rate= (a slow link),
delay=A..B (jitter drawn from the seed), on real clients against live
loopback servers, raw and preloaded."""
import errno
import http.server
import os
import shutil
import socket
import threading
import time

from harness import Skip, prog, run, shim_env, tempdir
from test_inject_time import Acceptor, client, env_for


class Streamer:
    """Sends `size` bytes to each client, then waits for it to close."""

    def __init__(self, size):
        self.size = size
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self):
        while not self.stopping.is_set():
            try:
                c = self.sock.accept()[0]
            except socket.timeout:
                continue
            with c:
                c.sendall(b"x" * self.size)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        self.sock.close()


def reads(port, buf, spec, preload=True):
    r = run([prog("toxic_client"), "reads", str(port), str(buf)],
            env=env_for(spec, {"KAIORETRY_TRIES": "1"}, preload))
    assert r.returncode == 0, r.stdout + r.stderr
    words = r.stdout.split()
    return int(words[1]), int(words[3]), int(words[5]), r


def test_limit_resets_the_stream_after_exactly_n_bytes():
    with Streamer(5000) as server:
        raw = reads(server.port, 4096, "recv:limit=1000", preload=False)
        assert raw[0] == 5000 and raw[2] == 0, raw
        for buf in (4096, 300, 1):
            got, calls, end, r = reads(server.port, buf, "recv:limit=1000")
            assert (got, end) == (1000, errno.ECONNRESET), (buf, r.stdout, r.stderr)
            assert "ECONNRESET" in r.stderr and "not retried" in r.stderr
        # error= chooses the failure.
        got, _, end, _ = reads(server.port, 512, "recv:limit=2k:error=EPIPE")
        assert (got, end) == (2000, errno.EPIPE)


def test_rate_paces_a_curl_download():
    curl = shutil.which("curl")
    if not curl:
        raise Skip("no curl")
    with tempdir() as d:
        body = os.urandom(200_000)
        with open(os.path.join(d, "blob"), "wb") as f:
            f.write(body)
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a):
                super().__init__(*a, directory=d)

            def log_message(self, *a):
                pass

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/blob"
        try:
            timings = {}
            for name, preload in (("raw", False), ("paced", True)):
                out = os.path.join(d, name)
                start = time.monotonic()
                r = run([curl, "-s", "-o", out, url],
                        env=env_for("recv:rate=50k", preload=preload))
                timings[name] = time.monotonic() - start
                assert r.returncode == 0, r.stderr
                with open(out, "rb") as f:
                    assert f.read() == body, name
        finally:
            httpd.shutdown()
    assert timings["raw"] < 1, timings
    assert 4 * 0.85 <= timings["paced"] <= 4 * 1.15, timings


def test_delay_range_is_drawn_per_call_from_the_seed():
    spec = "connect:delay=20ms..120ms"
    with Acceptor() as server:
        raw, _ = client(server, ["12", "0"], spec, preload=False)
        first, _ = client(server, ["12", "0"], spec)
        again, _ = client(server, ["12", "0"], spec)
        other, _ = client(server, ["12", "0"], spec, {"KAIORETRY_SEED": "2"})
    assert all(took < 15 and e == 0 for _, took, e in raw), raw
    took = [t for _, t, _ in first]
    assert all(20 <= t <= 135 for t in took), took
    assert max(took) - min(took) >= 30, took
    assert all(abs(a - b) <= 15 for a, (_, b, _) in zip(took, again)), (took, again)
    assert any(abs(a - b) > 15 for a, (_, b, _) in zip(took, other)), (took, other)
    assert all(e == 0 for _, _, e in first)

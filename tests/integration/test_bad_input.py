"""The bad-input matrix: malformed values through the environment and
the INI file, and config paths that are not files.  Each must give one
clear message (naming the variable or file:line) and leave the program
exactly as it is without us: same output, same exit status, no retry."""
import os
import re
import shutil
import stat
import subprocess

from harness import (dead_port, preload_for_others, prog, run,
                     shim_env, tempdir)

MB = 1 << 20

# (variable, value, words the message must hold)
ENV_CASES = [
    ("KAIORETRY_TRIES", b"", "empty value"),
    ("KAIORETRY_TRIES", b"   ", "empty value"),
    ("KAIORETRY_DELAY", b"\t", "empty value"),
    ("KAIORETRY_DELAY", b"1e999", "not a plain decimal"),
    ("KAIORETRY_DELAY", b"nan", "not a plain decimal"),
    ("KAIORETRY_DELAY", b"inf", "not a plain decimal"),
    ("KAIORETRY_BACKOFF", b"-inf", "negative"),
    ("KAIORETRY_DELAY", b"-0", "negative"),
    ("KAIORETRY_TRIES", b"-0", "tries=0"),
    ("KAIORETRY_TRIES", b"0x10", "not a plain decimal"),
    ("KAIORETRY_DELAY", b"1,5", "not a plain decimal"),
    ("KAIORETRY_TRIES", b"99999999999", "too large"),
    ("KAIORETRY_TRIES", b"2147483648", "too large"),
    ("KAIORETRY_DELAY", b"999999999", "more than a year"),
    ("KAIORETRY_MAX_DELAY", b"1" * 1000, "too large"),
    ("KAIORETRY_DELAY", b"1" * 100000, "too large"),
    ("KAIORETRY_TRIES", b"3.5", "whole number"),
    ("KAIORETRY_BACKOFF", b"0", "greater than 0"),
    ("KAIORETRY_BACKOFF", b"1e3", "not a plain decimal"),
    ("KAIORETRY_JITTER", b"2..1", "A <= B"),
    ("KAIORETRY_JITTER", b"..", "empty value"),
    ("KAIORETRY_JITTER", b"1..2..3", "not a plain decimal"),
    ("KAIORETRY_ERRORS", b"", "empty list"),
    ("KAIORETRY_ERRORS", b"ECONNREFUSED,", "ends with a comma"),
    ("KAIORETRY_ERRORS", b"ECONNREFUSED,,EAGAIN", "empty item"),
    ("KAIORETRY_ERRORS", b"ECONNREFUSD", "unknown error name"),
    ("KAIORETRY_ERRORS", b"econnrefused", "unknown error name"),
    ("KAIORETRY_ERRORS", b"111", "unknown error name"),
    ("KAIORETRY_GETADDRINFO_ERRORS", b"EAI_AGAIN\xff", "unknown error name"),
    ("KAIORETRY_ERRORS", b"\xc3\x28\xa0\xa1", "xc3"),
    ("KAIORETRY_ON", b"conect", "unknown family"),
    ("KAIORETRY_ON", b"resolvers", "unknown family"),
    ("KAIORETRY_RESOLVER_ERRORS", b"TRY_AGIN", "unknown error name"),
    ("KAIORETRY_RESOLVER_TRIES", b"0", "tries=0"),
    ("KAIORETRY_INJECT", b"gethostbyname:error=EAI_AGAIN", "h_errno names"),
    ("KAIORETRY_INJECT", b"res_query:error=TRY_AGAIN:short=1", "short="),
    ("KAIORETRY_INJECT", b"bind:error=EADDRINUSE:short=1", "short="),
    ("KAIORETRY_INJECT", b"bind:error=EAI_AGAIN", "getaddrinfo code"),
    ("KAIORETRY_INJECT", b"open:error=ENOENT:short=1", "short="),
    ("KAIORETRY_OPEN_ERRORS", b"ENOENT,EBOGUS", "unknown error name"),
    ("KAIORETRY_ON", b"all,bnd", "unknown family"),
    ("KAIORETRY_BIND_TRIES", b"0", "tries=0"),
    ("KAIORETRY_NSS_ERRORS", b"EAGAIN,", "ends with a comma"),
    ("KAIORETRY_INJECT", b"getpwnam:error=TRY_AGAIN", "resolver code"),
    ("KAIORETRY_INJECT", b"recv:error=EIO:path=/x", "path= filters the files"),
    ("KAIORETRY_INJECT", b"fsync:error=EIO:path=/" + b"p" * 300, "1 to 255"),
    ("KAIORETRY_INJECT", b"close:short=1", "short="),
    ("KAIORETRY_ON", b"all,disk", "never retried"),
    ("KAIORETRY_DISK_TRIES", b"3", "never retried"),
    ("KAIORETRY_LOG", b"file:relative.log", "absolute"),
    ("KAIORETRY_BUDGET_SCOPE", b"cluster", "expected process or host"),
    ("KAIORETRY_CONNECT_BUDGET_SCOPE", b"", "expected process or host"),
    ("KAIORETRY_TABLE", b"shm", "an absolute directory"),
    ("KAIORETRY_TABLE", b"/" + b"x" * 300, "too long"),
    ("KAIORETRY_LOG", b"syslog:/" + b"x" * 300, "too long"),
    ("KAIORETRY_LOG", b"journald", "expected syslog"),
    ("KAIORETRY_LOG", b"journal:run/journal.sock", "absolute"),
    ("KAIORETRY_LOG", b"journal:/" + b"j" * 300, "too long"),
    ("KAIORETRY_LOG_FORMAT", b"rfc5425", "expected rfc3164 or rfc5424"),
    ("KAIORETRY_LOG_FORMAT", b"", "expected rfc3164 or rfc5424"),
    ("KAIORETRY_LOG_FORMAT", b"rfc5424\xff", "expected rfc3164"),
    ("KAIORETRY_LOG_FACILITY", b"local8", "expected user"),
    ("KAIORETRY_LOG_LEVEL", b"err", "expected warning"),
    ("KAIORETRY_STRICT", b"maybe", "expected 1 or 0"),
    ("KAIORETRY", b"of", "expected on or off"),
    ("KAIORETRY_TRIE", b"3", "typo"),
    ("KAIORETRY_CONNECT_TRIESS", b"3", "typo"),
    ("KAIORETRY_CONFIG", b"", "empty path"),
    ("KAIORETRY_CONFIG", b"/nonexistent/k.ini", "cannot open"),
    ("KAIORETRY_CONFIG", b"/" + b"d" * 5000, "cannot open"),
    ("KAIORETRY_CONFIG", b"/dev/zero", "not a regular file"),
    ("KAIORETRY_CONFIG", b"/dev/null", "not a regular file"),
]

# (INI text, words the message must hold, the line it names)
INI_CASES = [
    (b"[default]\ntries\n", "expected 'key = value'", 2),
    (b"[default\ntries = 3\n", "without closing ']'", 1),
    (b"[connect]]\n", "unknown section", 1),
    (b"[conect]\ntries = 3\n", "unknown section", 1),
    (b"= 3\n", "missing key", 1),
    (b"tries = \n", "empty value", 1),
    (b"tries = 1e999\n", "not a plain decimal", 1),
    (b"delay = nan\n", "not a plain decimal", 1),
    (b"delay = 1,5\n", "not a plain decimal", 1),
    (b"[connect]\nlog = stderr\n", "belongs in [default]", 2),
    (b"tries = 3\x00\n", "NUL byte", 1),
    (b"\n\ntries = \xff\xfe\n", "xff", 3),
    (b"errors = EBOGUS\n", "unknown error name", 1),
    (b"[resolver]\nerrors = TRY_AGAIN, NO_RECOVRY\n", "unknown error name", 2),
    (b"[resolver *.internal]\nattempt_timeout = 1\n", "connect only", 2),
    (b"[resolvr *.internal]\ntries = 3\n", "unknown section", 1),
    (b"[bind 10.0.0.1:99999]\ntries = 3\n", "expected a port number", 1),
    (b"[bind *:8080]\nattempt_timeout = 1\n", "connect only", 2),
    (b"[nss *.internal]\ntries = 3\n", "take a destination", 1),
    (b"[open /run/" + b"x" * 200 + b"]\ntries = 3\n", "pattern too long", 1),
    (b"[open /run/app.sock]\nattempt_timeout = 1\n", "connect only", 2),
    (b"[open /run/*]\nerrors = ECONNREFUSD\n", "unknown error name", 2),
    (b"tries = 3\n[bind unix:/run/app.sock]\n", "not an IPv4 address", 2),
    (b"tires = 3\n", "unknown key", 1),
    (b"[disk]\ntries = 3\n", "never retried", 1),
    (b"[program:x/disk]\ntries = 3\n", "never retried", 1),
    (b"[inject]\nrules = ftruncate:error=EIO:path=\n", "path= is empty", 2),
    (b"tries = " + b"9" * 5000 + b"\n", "longer than 4096", 1),
]


def _reference(port):
    return run([prog("probe"), "connect", "127.0.0.1", str(port)],
               env=shim_env(preload=False))


def _same_program(r, ref):
    strip = lambda out: re.sub(r"elapsed=[\d.]+", "", out)
    assert strip(r.stdout) == strip(ref.stdout), (r.stdout, ref.stdout)
    assert r.returncode == ref.returncode
    # No retry happened: the delay below would have shown.
    assert float(r.stdout.split("elapsed=")[1]) < 0.5, r.stdout
    assert "kaioretry[" in r.stderr and "failed:" not in r.stderr


def _run_env(port, extra, base=None):
    env = {k.encode(): v.encode() for k, v in shim_env().items()}
    env.update(base if base is not None else
               {b"KAIORETRY_DELAY": b"1", b"KAIORETRY_TRIES": b"3"})
    env.update(extra)
    return subprocess.run([prog("probe"), "connect", "127.0.0.1", str(port)],
                          env=env, capture_output=True, text=True,
                          errors="replace", timeout=30)


def test_malformed_environment_values():
    keep, port = dead_port()
    ref = _reference(port)
    for name, value, words in ENV_CASES:
        r = _run_env(port, {name.encode(): value})
        msg = [l for l in r.stderr.splitlines() if "kaioretry[" in l]
        assert any(name + ":" in l and words in l for l in msg) or \
            (name == "KAIORETRY_CONFIG" and any(words in l for l in msg)), \
            (name, value[:40], msg)
        assert "every call passes through untouched" in msg[-1], msg
        assert len(msg) <= 3, msg
        _same_program(r, ref)
    keep.close()


def test_malformed_ini_files():
    keep, port = dead_port()
    ref = _reference(port)
    with tempdir() as d:
        for i, (text, words, line) in enumerate(INI_CASES):
            path = os.path.join(d, "bad%d.ini" % i)
            with open(path, "wb") as f:
                f.write(b"delay = 1\n" + text if line == 0 else text)
            os.chmod(path, 0o644)
            r = _run_env(port, {b"KAIORETRY_CONFIG": path.encode()})
            assert "%s:%d: " % (path, line) in r.stderr and words in r.stderr, \
                (text[:40], r.stderr)
            _same_program(r, ref)
    keep.close()


def test_config_paths_that_are_not_trusted_files():
    keep, port = dead_port()
    ref = _reference(port)
    with tempdir() as d:
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        big = os.path.join(d, "big.ini")
        with open(big, "wb") as f:
            f.write(b"tries = " + b"1" * MB + b"\n")   # one 1 MiB line
        writable = os.path.join(d, "writable.ini")
        with open(writable, "w") as f:
            f.write("tries = 3\n")
        os.chmod(writable, 0o666)
        foreign = os.path.join(d, "foreign.ini")
        with open(foreign, "w") as f:
            f.write("tries = 3\n")
        os.chmod(foreign, 0o644)
        os.chown(foreign, 65534, 65534)
        cases = [(d, "not a regular file"), (fifo, "not a regular file"),
                 (big, "larger than 65536 bytes"),
                 (writable, "writable by group or others"),
                 (foreign, "owned by uid 65534")]
        for path, words in cases:
            r = _run_env(port, {b"KAIORETRY_CONFIG": path.encode()})
            assert path + ": " in r.stderr and words in r.stderr, (path, r.stderr)
            _same_program(r, ref)
    keep.close()


def test_unreadable_config_as_an_unprivileged_user():
    keep, port = dead_port()
    ref = _reference(port)
    with tempdir() as d:
        os.chmod(d, 0o755)
        probe = shutil.copy(prog("probe"), d)   # nobody can run it there
        path = os.path.join(d, "secret.ini")
        with open(path, "w") as f:
            f.write("tries = 3\n")
        os.chmod(path, 0o600)   # root's, and only root may read it
        env = {k.encode(): v.encode() for k, v in shim_env().items()}
        env.update({b"KAIORETRY_CONFIG": path.encode(), b"KAIORETRY_DELAY": b"1",
                    b"LD_PRELOAD": preload_for_others().encode()})
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534",
                            "--clear-groups", probe, "connect",
                            "127.0.0.1", str(port)],
                           env=env, capture_output=True, text=True, timeout=30)
    keep.close()
    assert "cannot open: Permission denied" in r.stderr, r.stderr
    _same_program(r, ref)


def test_duplicate_sections_and_keys_the_last_wins():
    keep, port = dead_port()
    with tempdir() as d:
        path = os.path.join(d, "dup.ini")
        with open(path, "w") as f:
            f.write("[connect]\ntries = 2\ntries = 3\n[default]\n"
                    "[connect]\ntries = 4\n")
        os.chmod(path, 0o644)
        r = _run_env(port, {b"KAIORETRY_CONFIG": path.encode()}, base={})
    keep.close()
    assert "failed to complete after 4 tries" in r.stderr, r.stderr

"""Hardening: hostile host programs, heavy load and other preloads
never make the shim crash, hang, leak or write where it should not."""
import os
import re
import resource
import shutil
import socket
import subprocess

from harness import (BUILD, LIB, PRELOAD_FIRST, PYTHON, Skip,
                     for_others, dead_port, prog, run,
                     series_lines, shim_env, tempdir)

EARLY = os.path.join(BUILD, "libs", "libearly.so")
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
def _preload(*libs):
    """LD_PRELOAD for libs, behind the ASan runtime under check-sanitize."""
    return ":".join(([PRELOAD_FIRST] if PRELOAD_FIRST else []) + list(libs))


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}")


def _fd_limit_4096():
    # The shim moves a record's fd above 1024 only when the limit allows.
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    soft = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_fd_sweeping_program_never_gets_our_log():
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard <= 1164:
        raise Skip("the fd hard limit leaves no room above 1024 (see docs/hardening.md)")
    keep, port = dead_port()
    with tempdir() as d:
        mine, log = os.path.join(d, "program.txt"), os.path.join(d, "k.log")
        rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        rx.bind(os.path.join(d, "sock"))
        for sink in ("file:" + log, "syslog:" + os.path.join(d, "sock")):
            r = run([prog("hardy"), "chaos", str(port), mine, "1.5"],
                    env=shim_env({"KAIORETRY_TRIES": "5", "KAIORETRY_DELAY": "0"},
                                 log=sink),
                    preexec_fn=_fd_limit_4096)
            assert r.returncode == 0, (sink, r.returncode, r.stderr)
            text = open(mine).read()
            assert "program done" in text, text[-300:]
            assert "kaioretry" not in text and "connect(" not in text, \
                [l for l in text.splitlines() if "program" not in l][:3]
        records = 0
        rx.setblocking(False)
        try:
            while True:
                rx.recv(4096)
                records += 1
        except BlockingIOError:
            pass
        rx.close()
        logged = open(log).read().count("connect(127.0.0.1:")
    keep.close()
    # The datagram queue is small and read only now: most records were
    # dropped (by design, never blocking), but some arrived.
    assert logged > 100 and records > 0, (logged, records)


def test_fork_and_exec_while_eight_threads_retry():
    keep, port = dead_port()
    r = run([prog("hardy"), "forkexec", str(port), "2"],
            env=shim_env({"KAIORETRY_TRIES": "20", "KAIORETRY_DELAY": "0.001",
                          "KAIORETRY_BACKOFF": "1"},
                         log="none"), timeout=60)
    keep.close()
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.search(r"children=(\d+) bad=0 calls=(\d+)", r.stdout)
    assert m and int(m.group(1)) > 20 and int(m.group(2)) > 8, r.stdout


def test_wrapped_call_from_a_signal_handler_during_a_series():
    keep, port = dead_port()
    with tempdir() as d:
        log = os.path.join(d, "k.log")
        r = run([prog("hardy"), "sighandler", str(port), "2"],
                env=shim_env({"KAIORETRY_TRIES": "5", "KAIORETRY_DELAY": "0.0002",
                              "KAIORETRY_BACKOFF": "1"},
                             log="file:" + log), timeout=60)
        text = open(log).read()
    keep.close()
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.search(r"series=(\d+) refused=(\d+) handled=(\d+) handler_refused=(\d+)",
                  r.stdout)
    assert m, r.stdout
    series, refused, handled, handler_refused = map(int, m.groups())
    assert series == refused and series > 0
    assert handled > 20 and handled == handler_refused, r.stdout
    # Every series the log opened, it also closed.
    opened = {UUID.search(l).group(0) for l in text.splitlines() if " failed: " in l}
    ended = {UUID.search(l).group(0) for l in text.splitlines()
             if "failed to complete after" in l}
    assert opened and opened == ended


def test_loaded_twice_makes_one_series():
    keep, port = dead_port()
    with tempdir() as d:
        copy = os.path.join(d, "copy-of-libkaioretry.so")
        shutil.copy(LIB, copy)
        for preload in (LIB + ":" + LIB, LIB + ":" + copy, copy + ":" + LIB):
            env = shim_env({"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0"})
            env["LD_PRELOAD"] = _preload(*preload.split(":"))
            r = run([prog("probe"), "connect", "127.0.0.1", str(port)], env=env)
            lines = series_lines(r.stderr)
            assert "rc=-1 errno=ECONNREFUSED" in r.stdout
            assert len({UUID.search(l).group(0) for l in lines}) == 1, (preload, lines)
            assert "failed to complete after 3 tries" in lines[-1]
        # A copy the program dlopens later binds to the first copy too.
        code = ("import ctypes, socket, sys\nctypes.CDLL(sys.argv[1])\n"
                "try: socket.create_connection(('127.0.0.1', int(sys.argv[2])))\n"
                "except OSError as e: print('error', e.errno)\n")
        r = run([PYTHON, "-c", code, copy, str(port)],
                env=shim_env({"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0"}))
        lines = series_lines(r.stderr)
        assert "error 111" in r.stdout, r.stdout + r.stderr
        assert len({UUID.search(l).group(0) for l in lines}) == 1, lines
        assert "failed to complete after 3 tries" in lines[-1]
    keep.close()


def test_call_from_another_librarys_constructor():
    keep, port = dead_port()
    env = shim_env({"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0",
                    "EARLY_PORT": str(port),
                    "LD_DEBUG": "libs"})
    # Initialised last to first: early's constructor runs before ours.
    env["LD_PRELOAD"] = env["LD_PRELOAD"] + ":" + EARLY
    r = run(["/bin/true"], env=env)
    keep.close()
    assert r.returncode == 0
    err = r.stderr.splitlines()
    at = lambda pat: next(i for i, l in enumerate(err) if pat in l)
    early_init = at("calling init: " + EARLY)
    our_init = at("calling init: " + LIB)
    series_end = at("failed to complete after 3 tries")
    early_done = at("early constructor: connect rc=-1 errno=ECONNREFUSED")
    assert early_init < series_end < early_done < our_init, err


def test_alongside_libfaketime_and_jemalloc():
    if not (os.path.exists(FAKETIME) and os.path.exists(JEMALLOC)):
        raise Skip("faketime or libjemalloc2 not installed")
    keep, port = dead_port()
    code = ("import socket, time, sys\nprint('year', time.gmtime().tm_year)\n"
            "s = socket.socket()\ntry: s.connect(('127.0.0.1', %d))\n"
            "except OSError as e: print('refused', e.errno)\n" % port)
    # libfaketime deadlocks against the ASan runtime on its own (without
    # us), so check-sanitize runs the jemalloc half only.
    for other in (JEMALLOC,) if PRELOAD_FIRST else (FAKETIME, JEMALLOC):
        for order in ((other, LIB), (LIB, other)):
            env = shim_env({"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0.2",
                            "KAIORETRY_BACKOFF": "1",
                            "FAKETIME": "@2001-02-03 04:05:06",
                            "MALLOC_CONF": "stats_print:true"})
            env["LD_PRELOAD"] = _preload(*order)
            r = run([PYTHON, "-c", code], env=env, timeout=30)
            assert "refused 111" in r.stdout, (order, r.stdout, r.stderr[-500:])
            lines = series_lines(r.stderr)
            assert "failed to complete after 3 tries" in lines[-1], (order, lines)
            # Our sleeps are real sleeps under faked clocks too.
            assert len([l for l in lines if "sleeping 0.2" in l]) == 2
            if other == FAKETIME:
                assert "year 2001" in r.stdout, r.stdout
            else:
                assert "jemalloc statistics" in r.stderr, r.stderr[-300:]
    keep.close()


def test_64_threads_1000_failing_tries_each():
    keep, port = dead_port()
    r = run([prog("hardy"), "threads", "64", str(port)],
            env=shim_env({"KAIORETRY_TRIES": "1000", "KAIORETRY_DELAY": "0"}),
            timeout=120)
    keep.close()
    assert "threads=64 refused=64" in r.stdout, r.stdout + r.stderr[-500:]
    lines = series_lines(r.stderr)
    by_series = {}
    for l in lines:
        by_series.setdefault(UUID.search(l).group(0), []).append(l)
    assert len(by_series) == 64
    for uuid, ls in by_series.items():
        last = ls[-1]
        assert "failed to complete after 1000 tries" in last, last
        # Bounded: tries 1-5, 10, 100, 1000 are logged, the rest counted.
        assert len(ls) <= 12, ls
        waiting = sum("tries remaining" in l for l in ls)
        left_out = int(re.search(r"\((\d+) lines left out\)", last).group(1))
        assert waiting + left_out == 999, (waiting, left_out)


def test_fds_and_memory_stay_flat_over_many_series():
    keep, port = dead_port()
    with tempdir() as d:
        r = run([prog("hardy"), "leak", str(port), "20000"],
                env=shim_env({"KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "0"},
                             log="file:" + os.path.join(d, "k.log")),
                timeout=120)
    keep.close()
    early = re.search(r"early fds=(\d+) rss=(\d+)", r.stdout)
    late = re.search(r"late fds=(\d+) rss=(\d+)", r.stdout)
    assert early and late, r.stdout + r.stderr
    assert early.group(1) == late.group(1), r.stdout
    assert int(late.group(2)) - int(early.group(2)) < 512, r.stdout


def test_master_switch_off_is_a_pure_pass_through():
    keep, port = dead_port()
    for extra in ({}, {"KAIORETRY_TRIES": "0", "KAIORETRY_TRIE": "x"}):
        env = {"KAIORETRY": "off", "KAIORETRY_TRIES": "3", "KAIORETRY_DELAY": "1"}
        env.update(extra)
        r = run([prog("probe"), "connect", "127.0.0.1", str(port)],
                env=shim_env(env))
        assert "rc=-1 errno=ECONNREFUSED" in r.stdout
        assert float(r.stdout.split("elapsed=")[1]) < 0.5
        # Off means silent too: not even a complaint about the rest.
        assert r.stderr == "", r.stderr
    keep.close()


def test_privileged_process_ignores_env_and_config_path():
    """A program with file capabilities run by an ordinary user is
    AT_SECURE.  The loader ignores LD_PRELOAD there, so the program
    dlopens us; our constructor must then ignore KAIORETRY_* and
    KAIORETRY_CONFIG, which would otherwise give messages."""
    if PRELOAD_FIRST:
        raise Skip("the ASan runtime cannot be preloaded into AT_SECURE programs")
    if not shutil.which("setcap") or not shutil.which("setpriv"):
        raise Skip("setcap (libcap2-bin) or setpriv missing")
    with tempdir() as d:
        os.chmod(d, 0o755)
        capped = os.path.join(d, "hardy")
        shutil.copy(prog("hardy"), capped)
        subprocess.run(["setcap", "cap_net_bind_service+ep", capped], check=True)
        env = shim_env({"KAIORETRY_TRIES": "0", "KAIORETRY_CONFIG": "/nonexistent"},
                       preload=False)
        outs = {}
        plain = os.path.join(d, "plain")
        shutil.copy(prog("hardy"), plain)
        for label, path in (("capped", capped), ("plain", plain)):
            outs[label] = run(["setpriv", "--reuid=65534", "--regid=65534",
                               "--clear-groups", path, "dlopen", for_others()[0]],
                              env=env)
    assert "dlopen ok" in outs["capped"].stdout, outs["capped"].stdout
    assert outs["capped"].stderr == "", outs["capped"].stderr
    # The same program without capabilities reads both and complains.
    assert "KAIORETRY_TRIES" in outs["plain"].stderr
    assert "/nonexistent: cannot open" in outs["plain"].stderr

"""Unloading is safe: a program dlopens the library, a thread resolves
and connects through it, the program dlcloses it, then the thread exits
and the process forks.  tests/progs/unload.c does it with libc.so.6 (the
program without us) and with the library, dlopened alone and on top of
a preloaded copy: the same output and status each time."""
from harness import LIB, dead_port, prog, run, shim_env


def test_dlclose_then_thread_exit_and_fork():
    keep, port = dead_port()
    try:
        raw = run([prog("unload"), "libc.so.6", str(port)],
                  env=shim_env(preload=False, log=None))
        quick = {"KAIORETRY_TRIES": "2", "KAIORETRY_DELAY": "0.01"}
        alone = run([prog("unload"), LIB, str(port)],
                    env=shim_env(quick, preload=False))
        twice = run([prog("unload"), LIB, str(port)], env=shim_env(quick))
    finally:
        keep.close()
    assert raw.returncode == 0, (raw.stdout, raw.stderr)
    assert "thread exited" in raw.stdout and "fork child status=0" in raw.stdout
    for r in (alone, twice):
        assert r.returncode == raw.returncode, (r.returncode, r.stdout, r.stderr[-1500:])
        assert r.stdout == raw.stdout, (raw.stdout, r.stdout)
    # The dlopened copy did its work: the refused connect was retried.
    assert "failed to complete after 2 tries" in alone.stderr, alone.stderr


def test_library_is_never_unmapped():
    """-z nodelete: fork handlers, threads inside a wrapper and saved
    function pointers may reach our code after a dlclose."""
    r = run(["readelf", "-d", LIB], env=shim_env(preload=False, log=None))
    assert "NODELETE" in r.stdout, r.stdout

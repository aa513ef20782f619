"""The program's fd flags stay the program's, even when it longjmps out
of a connect the shim bounds with attempt_timeout (wget's pattern)."""
from harness import prog, run, shim_env
from test_attempt_timeout import PORT, blackholed


def test_a_handler_jumping_out_of_a_bounded_connect_finds_its_flags():
    cmd = blackholed([prog("jumpflags"), "127.0.0.1", PORT])
    raw = run(cmd, env=shim_env(preload=False), timeout=20)
    assert raw.stdout == ("connect timed out\nnonblocking 0\n"
                          "read -1 EINTR\n"), raw.stdout + raw.stderr
    # The alarm (0.3 s) lands in the first attempt, then in a retry.
    for bound in ("5", "0.2"):
        pre = run(cmd, env=shim_env({"KAIORETRY_CONNECT_ATTEMPT_TIMEOUT": bound,
                                     "KAIORETRY_TRIES": "3",
                                     "KAIORETRY_DELAY": "0"}), timeout=20)
        assert pre.stdout == raw.stdout, (bound, pre.stdout + pre.stderr)
        assert pre.returncode == raw.returncode == 0

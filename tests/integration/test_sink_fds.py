"""No fd of ours outlives a record: a program whose log file is renamed
(rotated) again and again while it logs holds as many fds as without
the shim."""
import os
import threading

from harness import dead_port, prog, run, shim_env, tempdir

POLICY = {"KAIORETRY_TRIES": "2", "KAIORETRY_DELAY": "0",
          "KAIORETRY_ERRORS": "ECONNREFUSED"}


def test_a_rotated_log_file_leaks_no_fd():
    sock, port = dead_port()
    with sock, tempdir() as d:
        log = os.path.join(d, "retry.log")
        stop = threading.Event()
        renamed = [0]

        def rotate():
            while not stop.is_set():
                try:
                    os.rename(log, log + ".1")
                    renamed[0] += 1
                except FileNotFoundError:
                    pass

        cmd = [prog("logfds"), str(port), "3000"]
        raw = run(cmd, env=shim_env(POLICY, preload=False), timeout=60)
        rotator = threading.Thread(target=rotate, daemon=True)
        rotator.start()
        try:
            pre = run(cmd, env=shim_env(POLICY, log="file:" + log), timeout=60)
        finally:
            stop.set()
            rotator.join(5)
        assert raw.returncode == pre.returncode == 0, (raw, pre)
        assert renamed[0] > 100, renamed  # the log really was rotated
        assert os.path.getsize(log + ".1") > 0
        assert pre.stdout == raw.stdout, (raw.stdout, pre.stdout, pre.stderr)

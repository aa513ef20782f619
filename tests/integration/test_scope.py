"""Scoping by program ([program:NAME], programs =) and by destination
([connect PATTERN]), with real clients reading a real INI file."""
import os
import re

from harness import PYTHON, dead_port, probe_named, prog, run, series_lines, shim_env, tempdir, write_ini



def tries_logged(stderr):
    m = re.search(r"after (\d+) tr", stderr)
    return int(m.group(1)) if m else None


PY_CONNECT = """
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])))
except OSError as e:
    print("error", e.errno)
"""


def test_program_sections_apply_only_to_matching_programs():
    keep, port = dead_port()
    with tempdir() as d:
        ini = write_ini(d, "[default]\ntries = 2\n"
                           "[program:psql]\ntries = 3\n"
                           "[program:python3*/connect]\ntries = 4\n")
        psql = probe_named(d, "psql")
        env = shim_env({"KAIORETRY_CONFIG": ini})
        r_probe = run([prog("probe"), "connect", "127.0.0.1", str(port)], env=env)
        r_psql = run([psql, "connect", "127.0.0.1", str(port)], env=env)
        r_py = run([PYTHON, "-c", PY_CONNECT, str(port)], env=env)
    keep.close()
    assert tries_logged(r_probe.stderr) == 2, r_probe.stderr
    assert tries_logged(r_psql.stderr) == 3, r_psql.stderr
    assert "psql: " in series_lines(r_psql.stderr)[0]
    # /usr/bin/python3 is a link to python3.X: the glob matches either name.
    assert tries_logged(r_py.stderr) == 4, r_py.stderr


def test_program_sections_match_the_exe_or_argv0_alone():
    """The exe's name is read only when a section asks for it (start-up
    does not look into /proc without one), and then it matches on its
    own, as argv[0] does."""
    keep, port = dead_port()
    with tempdir() as d:
        ini = write_ini(d, "[default]\ntries = 2\n[program:psql]\ntries = 3\n")
        psql = probe_named(d, "psql")
        env = shim_env({"KAIORETRY_CONFIG": ini})
        args = ["connect", "127.0.0.1", str(port)]
        by_exe = run(["other"] + args, env=env, executable=psql)
        by_argv0 = run(["psql"] + args, env=env, executable=prog("probe"))
        neither = run(["other"] + args, env=env, executable=prog("probe"))
    keep.close()
    assert tries_logged(by_exe.stderr) == 3, by_exe.stderr
    assert tries_logged(by_argv0.stderr) == 3, by_argv0.stderr
    assert tries_logged(neither.stderr) == 2, neither.stderr


def test_programs_key_limits_the_shim_to_matching_programs():
    keep, port = dead_port()
    with tempdir() as d:
        ini = write_ini(d, "programs = psql, pg_*\ntries = 3\n")
        psql = probe_named(d, "psql")
        env = shim_env({"KAIORETRY_CONFIG": ini})
        r_psql = run([psql, "connect", "127.0.0.1", str(port)], env=env)
        r_probe = run([prog("probe"), "connect", "127.0.0.1", str(port)], env=env)
        # The environment can name it all the same.
        r_named = run([prog("probe"), "connect", "127.0.0.1", str(port)],
                      env=shim_env({"KAIORETRY_CONFIG": ini,
                                    "KAIORETRY_PROGRAMS": "probe"}))
    keep.close()
    assert tries_logged(r_psql.stderr) == 3, r_psql.stderr
    # Not selected: a pure pass-through, silent, no retry.
    assert r_probe.stderr == "", r_probe.stderr
    assert "rc=-1 errno=ECONNREFUSED" in r_probe.stdout
    assert tries_logged(r_named.stderr) == 3, r_named.stderr


def test_destination_sections_pick_the_most_specific_match():
    keep, port = dead_port()
    sections = ("[connect]\ntries = 2\n"
                f"[connect *:{port}]\ntries = 3\n"
                "[connect 127.0.0.0/8]\ntries = 4\n"
                f"[connect 127.0.0.1:{port}]\ntries = 5\n"
                "[connect 10.0.0.0/8]\ntries = 6\n")
    with tempdir() as d:
        env = shim_env({"KAIORETRY_CONFIG": write_ini(d, sections)})
        exact = run([prog("probe"), "connect", "127.0.0.1", str(port)], env=env)
        by_prefix = run([prog("probe"), "connect", "127.0.0.2", str(port)], env=env)
        env = shim_env({"KAIORETRY_CONFIG": write_ini(
            d, sections.replace("[connect 127.0.0.0/8]", "[connect 192.0.2.0/24]"))})
        by_port = run([prog("probe"), "connect", "127.0.0.2", str(port)], env=env)
        other, other_port = dead_port()
        family = run([prog("probe"), "connect", "127.0.0.3", str(other_port)], env=env)
        other.close()
    keep.close()
    assert tries_logged(exact.stderr) == 5, exact.stderr        # address and port
    assert tries_logged(by_prefix.stderr) == 4, by_prefix.stderr  # /8 beats *:port
    assert tries_logged(by_port.stderr) == 3, by_port.stderr      # only *:port
    assert tries_logged(family.stderr) == 2, family.stderr        # no section


def test_unix_destination_section_and_env_precedence():
    with tempdir() as d:
        ini = write_ini(d, f"[connect unix:{d}/*.sock]\ntries = 3\ndelay = 0.01\n"
                           "[connect]\ntries = 2\nerrors = ENOENT\n")
        sock = os.path.join(d, "app.sock")
        r = run([prog("probe"), "connect-unix", sock],
                env=shim_env({"KAIORETRY_CONFIG": ini}))
        assert tries_logged(r.stderr) == 3, r.stderr
        r = run([prog("probe"), "connect-unix", os.path.join(d, "app.other")],
                env=shim_env({"KAIORETRY_CONFIG": ini}))
        assert tries_logged(r.stderr) == 2, r.stderr
        # The environment overrides every INI section, destinations too.
        r = run([prog("probe"), "connect-unix", sock],
                env=shim_env({"KAIORETRY_CONFIG": ini, "KAIORETRY_CONNECT_TRIES": "4"}))
        assert tries_logged(r.stderr) == 4, r.stderr

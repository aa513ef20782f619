"""User and group lookups through an NSS backend that is still starting:
a module built by the tests (tests/libs/nss_flaky.c) says TRYAGAIN for
its first lookups, selected by an nsswitch.conf in a private mount
namespace."""
import os
import shutil

from harness import BUILD, Skip, prog, run, series_lines, shim_env, tempdir

NSS_DELAY = {"KAIORETRY_NSS_DELAY": "0.05"}


def with_flaky_nss(argv, env):
    if os.geteuid() != 0:
        raise Skip("needs root for unshare -m")
    module = os.path.join(BUILD, "libs", "libnss_flaky.so")
    with tempdir() as d:
        shutil.copy(module, os.path.join(d, "libnss_flaky.so.2"))
        with open(os.path.join(d, "nsswitch.conf"), "w") as f:
            f.write("passwd: flaky\ngroup: flaky\n")
        script = (f"mount --bind {d}/nsswitch.conf /etc/nsswitch.conf && "
                  'exec "$@"')
        env = dict(env, LD_LIBRARY_PATH=d)
        return run(["unshare", "-m", "sh", "-c", script, "sh"] + argv,
                   env=env)


def took(stdout):
    return float(stdout.split("took ")[1].split()[0])


def test_lookups_wait_for_a_starting_backend():
    for call, key, answer in (("getpwnam", "late", "late 4242"),
                              ("getpwnam_r", "late", "late 4242"),
                              ("getgrgid", "4242", "late 4242"),
                              ("getgrgid_r", "4242", "late 4242")):
        argv = [prog("users"), call, key]
        without = with_flaky_nss(argv, shim_env(preload=False))
        assert without.returncode == 1, (call, without)
        assert "failed EAGAIN" in without.stdout, (call, without.stdout)
        under = with_flaky_nss(argv, shim_env(NSS_DELAY))
        assert under.returncode == 0, (call, under)
        assert f"answered {answer}" in under.stdout, (call, under.stdout)
        lines = series_lines(under.stderr)
        target = f"uid {key}" if call.startswith("getpwuid") else \
            (f"gid {key}" if call.startswith("getgrgid") else key)
        assert f"{call}({target}) failed: EAGAIN" in lines[0], lines
        assert "succeeded after 3 tries" in lines[-1], lines


def test_not_found_is_an_answer():
    """A name the backend does not know comes back at once, under the
    shim as without it."""
    argv = [prog("users"), "getpwnam", "nobody-here"]
    env = shim_env(dict(NSS_DELAY, FLAKY_FAILS="0",
                        KAIORETRY_NSS_ERRORS="all"))
    r = with_flaky_nss(argv, env)
    assert r.returncode == 1 and "failed not found" in r.stdout, r
    assert took(r.stdout) < 0.1 and series_lines(r.stderr) == [], r


def test_id_finds_a_user_from_a_starting_backend():
    """coreutils' id, as a daemon's start script looks up its user."""
    idprog = shutil.which("id") or "/usr/bin/id"
    without = with_flaky_nss([idprog, "late"], shim_env(preload=False))
    assert without.returncode != 0, without
    assert "no such user" in without.stderr, without.stderr
    under = with_flaky_nss([idprog, "late"], shim_env(NSS_DELAY))
    assert under.returncode == 0, under
    assert under.stdout.startswith("uid=4242(late) gid=4242(late)"), under
    lines = series_lines(under.stderr)
    assert "getpwnam(late) failed: EAGAIN" in lines[0], lines


def test_injected_eagain_is_retried():
    env = shim_env(dict(NSS_DELAY, KAIORETRY_INJECT="getpwnam:error=EAGAIN:when=1"))
    r = run([prog("users"), "getpwnam", "root"], env=env)
    assert r.returncode == 0 and "answered root 0" in r.stdout, r
    lines = series_lines(r.stderr)
    assert any("getpwnam(root) failed: EAGAIN" in l for l in lines), lines

"""The Debian package: `make deb`, then `dpkg -i` on this machine (root
only), the packaged command and library at work, lintian, and a purge
that leaves the machine's files as they were.  The package is purged
whatever happens; the test refuses to run where kaioretry is already
installed as a package."""
import os
import re
import shutil
import subprocess

from harness import (PYTHON, ROOT, LateServer, Skip, run, series_lines,
                     tempdir)

# What lintian may say, and why (README, "Debian package"): the library
# and its helper are built with -U_FORTIFY_SOURCE on purpose (the
# library defines glibc's _chk entry points itself).
LINTIAN_EXPECTED = {"hardening-no-fortify-functions"}

CLIENT = """
import os, socket, sys
print("connecting", flush=True)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("got", s.recv(64).decode().strip())
maps = open("/proc/self/maps").read()
print("mapped", sorted({l.split()[-1] for l in maps.splitlines()
                        if "libkaioretry" in l}))
"""

WATCHED = ("/usr", "/etc", "/var/lib/dpkg/info", "/var/lib/dpkg/alternatives")


def files():
    """Every path under the directories a package writes to."""
    found = set()
    for top in WATCHED:
        for dirpath, dirs, names in os.walk(top):
            found.update(os.path.join(dirpath, n) for n in dirs + names)
    return found


def sh(*cmd, ok=True, env=None, timeout=300):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       env=env)
    assert not ok or r.returncode == 0, (cmd, r.stdout, r.stderr)
    return r


def plain_env(extra=None):
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
           "LANG": "C.UTF-8"}
    env.update(extra or {})
    return env


def late_client(cmd, env, cwd):
    """Runs cmd PORT; the server listens 0.15 s after the client says it
    is connecting (so after its start-up, however long that takes)."""
    srv = LateServer(0.15)
    p = subprocess.Popen(cmd + [str(srv.port)], env=env, cwd=cwd, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = p.stdout.readline()
        with srv:
            out, err = p.communicate(timeout=20)
    finally:
        p.kill()
        srv.sock.close()
    return subprocess.CompletedProcess(cmd, p.returncode, first + out, err)


def source_version():
    with open(os.path.join(ROOT, "scripts", "kaioretry")) as f:
        return re.search(r"^version=(\S+)$", f.read(), re.M).group(1)


def test_deb_installs_works_and_purges_clean():
    if os.geteuid() != 0 or not shutil.which("dpkg"):
        raise Skip("needs root and dpkg")
    if sh("dpkg-query", "-W", "kaioretry", ok=False).returncode == 0:
        raise Skip("a kaioretry package is installed here; not touching it")
    version = source_version()
    # Under `make check` this make is a sub-make: its own directory lines
    # are kept out, and the package is the word that names a .deb.
    r = sh("make", "-s", "--no-print-directory", "-C", ROOT, "deb")
    deb = os.path.join(ROOT, [w for w in r.stdout.split() if w.endswith(".deb")][-1])
    assert deb.endswith(f"kaioretry_{version}_"
                        f"{sh('dpkg', '--print-architecture').stdout.strip()}.deb")

    fields = dict(re.findall(r"^(\S+): (.*)$", sh("dpkg-deb", "-f", deb).stdout, re.M))
    assert fields["Version"] == version
    assert re.fullmatch(r"libc6 \(>= 2\.\d+\)", fields["Depends"]), fields
    if shutil.which("dpkg-shlibdeps"):
        # Debian's own reckoning, from libc6's symbols file, agrees.
        with tempdir() as d:
            sh("dpkg-deb", "-x", deb, d)
            os.makedirs(os.path.join(d, "debian"))
            with open(os.path.join(d, "debian", "control"), "w") as f:
                f.write("Source: kaioretry\n\nPackage: kaioretry\nArchitecture: any\n")
            elves = [os.path.join(root, n) for root, _, ns in os.walk(d)
                     for n in ns if n in ("libkaioretry.so", "kaioretry-config")]
            out = subprocess.run(["dpkg-shlibdeps", "-O", *elves], cwd=d,
                                 capture_output=True, text=True).stdout
            assert f"shlibs:Depends={fields['Depends']}" in out, (out, fields)
    listing = sh("dpkg-deb", "-c", deb).stdout
    assert " ./etc" not in listing, listing       # nothing in /etc at all
    control = sh("dpkg-deb", "-I", deb).stdout
    for script in ("preinst", "postinst", "prerm", "postrm", "conffiles", "triggers"):
        assert f" {script} " not in control, control

    if shutil.which("lintian"):
        out = sh("lintian", "--fail-on", "error", "-I", "--pedantic", deb,
                 ok=False, env=plain_env())
        tags = set(re.findall(r"^[EWIPX]: kaioretry[^:]*: (\S+)", out.stdout, re.M))
        assert out.returncode == 0 and not re.search(r"^E:", out.stdout, re.M), out.stdout
        assert tags <= LINTIAN_EXPECTED, out.stdout

    preload_before = os.path.exists("/etc/ld.so.preload") and \
        open("/etc/ld.so.preload").read()
    before = files()
    try:
        sh("dpkg", "-i", deb, env=plain_env({"DEBIAN_FRONTEND": "noninteractive"}))
        shipped = set(sh("dpkg-query", "-L", "kaioretry").stdout.split())
        multiarch = sh("gcc", "-print-multiarch").stdout.strip()
        lib = f"/usr/lib/{multiarch}/kaioretry/libkaioretry.so"
        for path in ("/usr/bin/kaioretry", lib,
                     f"/usr/lib/{multiarch}/kaioretry/kaioretry-config",
                     "/usr/share/man/man1/kaioretry.1.gz",
                     "/usr/share/man/man5/kaioretry.ini.5.gz",
                     "/usr/share/doc/kaioretry/kaioretry.ini",
                     "/usr/share/doc/kaioretry/copyright",
                     "/usr/share/bash-completion/completions/kaioretry"):
            assert path in shipped and os.path.exists(path), path
        # Installing turned nothing on.
        assert (os.path.exists("/etc/ld.so.preload") and
                open("/etc/ld.so.preload").read()) == preload_before
        assert not [p for p in shipped if p.startswith("/etc")], shipped

        r = run(["kaioretry", "--version"], env=plain_env())
        assert r.returncode == 0 and r.stdout == f"kaioretry {version}\n", r
        r = run(["man", "kaioretry"], env=plain_env({"MANPAGER": "cat",
                                                      "MANWIDTH": "80"}))
        assert r.returncode == 0 and "kaioretry - run a program whose failing network calls" in r.stdout, r.stderr
        assert f"kaioretry {version}" in r.stdout   # the footer: one version
        r = run(["man", "5", "kaioretry.ini"], env=plain_env({"MANPAGER": "cat"}))
        assert r.returncode == 0 and "min_delay" in r.stdout, r.stderr
        r = run(["kaioretry", "--check", "/usr/share/doc/kaioretry/kaioretry.ini"],
                env=plain_env())
        assert r.returncode == 0, r

        with tempdir() as d:
            with open(os.path.join(d, "client.py"), "w") as f:
                f.write(CLIENT)
            raw = late_client([PYTHON, "client.py"], plain_env(), d)
            # Tries at 0, 0.1 and 0.3 s; the server listens from 0.15 s.
            under = late_client(["kaioretry", "--tries", "3", "--delay", "0.1",
                                 "python3", "client.py"],
                                plain_env({"KAIORETRY_LOG": "stderr"}), d)
        assert raw.returncode != 0 and "ConnectionRefusedError" in raw.stderr, raw
        assert under.returncode == 0, under
        assert "got hello" in under.stdout and f"mapped ['{lib}']" in under.stdout, under
        lines = series_lines(under.stderr)
        assert "failed: ECONNREFUSED" in lines[0] and "succeeded after" in lines[-1], lines

        # Installed, it still preloads nothing by itself.
        r = run([PYTHON, "-c", "import os; print(os.environ.get('LD_PRELOAD'))"],
                env=plain_env())
        assert r.stdout == "None\n", r.stdout
    finally:
        sh("dpkg", "--purge", "kaioretry", ok=False)
    assert sh("dpkg-query", "-W", "kaioretry", ok=False).returncode != 0
    after = files()
    changed = before ^ after
    ours = {p for p in changed if "kaioretry" in p or p in shipped}
    assert ours == set(), sorted(ours)

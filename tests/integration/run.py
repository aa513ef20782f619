"""run.py: runs every test_* function of tests/integration/test_*.py.

Each test runs in this process with its own timeout guard in the test
itself (every subprocess call has one).  Prints one line per test and
the closing line "N passed, N failed" that CI reads.
Usage: run.py [substring ...]  (only tests whose name contains one)."""
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main():
    wanted = sys.argv[1:]
    passed = failed = skipped = 0
    failures = []
    for fname in sorted(os.listdir(HERE)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fname[:-3], os.path.join(HERE, fname))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name in sorted(n for n in dir(module) if n.startswith("test_")):
            full = f"{fname[:-3]}.{name}"
            if wanted and not any(w in full for w in wanted):
                continue
            start = time.monotonic()
            try:
                getattr(module, name)()
            except Exception as e:  # noqa: BLE001 - report every failure
                if type(e).__name__ == "Skip":
                    skipped += 1
                    print(f"SKIP {full}: {e}", flush=True)
                    continue
                failed += 1
                failures.append(full)
                print(f"FAIL {full} ({time.monotonic() - start:.1f}s)", flush=True)
                traceback.print_exc()
                continue
            passed += 1
            print(f"ok   {full} ({time.monotonic() - start:.1f}s)", flush=True)
    if failures:
        print("failed: " + " ".join(failures))
    line = f"integration: {passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

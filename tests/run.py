#!/usr/bin/env python3
"""Run every test of the project, the modules' and the end-to-end ones, and
end with one summary line: "N passed, N failed[, N skipped]"."""
import os
import pathlib
import sys
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def modules():
    return sorted(
        p.name for p in (ROOT / 'addons').iterdir()
        if (p / 'tryton.cfg').exists())


def refresh_template_cache(before):
    """trytond names its cached databases after the module names only: drop
    those built from other sources before the run, mark the new ones after"""
    from tests.server import sources_hash
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if not uri.startswith('postgresql') or not os.environ.get('DB_CACHE'):
        return
    import psycopg
    current = sources_hash()
    with psycopg.connect(uri, dbname='postgres', autocommit=True) as conn:
        for name, comment in conn.execute(
                "SELECT datname, shobj_description(oid, 'pg_database') "
                "FROM pg_database WHERE datname LIKE 'test-%'").fetchall():
            if before and comment != current:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            elif not before and comment is None:
                conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{current}'")


def suite(names=None):
    loader = unittest.TestLoader()
    tests = unittest.TestSuite()
    for module in modules():
        if not names or module in names:
            tests.addTests(loader.discover(f'trytond.modules.{module}'))
    if not names or 'e2e' in names:
        tests.addTests(loader.discover(
                str(ROOT / 'tests'), top_level_dir=str(ROOT)))
    return tests


class Result(unittest.TextTestResult):
    "Counts the tests that passed and times each"
    passed = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.durations = []

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.durations.append((time.monotonic() - self._started, test.id()))

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def main(names):
    started = time.monotonic()
    refresh_template_cache(before=True)
    result = unittest.TextTestRunner(
        verbosity=2, resultclass=Result).run(suite(names))
    refresh_template_cache(before=False)
    # errors also hold failures of class and module fixtures
    failed = len(result.failures) + len(result.errors) + len(
        result.unexpectedSuccesses)
    skipped = len(result.skipped)
    print("slowest tests:")
    for duration, name in sorted(result.durations, reverse=True)[:15]:
        print(f"  {duration:6.0f} s  {name}")
    passed = result.passed
    print(f"time: {time.monotonic() - started:.0f} s")
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == '__main__':
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))

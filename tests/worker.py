# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""A process of tests/run.py that runs the units it is given, one at a time:
a test file, or one scenario of a module.

It reads one unit's name a line on its standard input and answers, on its
standard output, one JSON line a unit: what passed, failed and was skipped,
each failure's report, each test's time and the template builds it did.
What the tests print goes to the unit's log file.  Its databases and
servers are its own (DB_NAME, DP_E2E_DATABASE set by tests/run.py); the
shared demo server of tests/server.py serves all the units it runs, and is
stopped when its input ends."""
import json
import os
import pathlib
import sys
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[1]


class Result(unittest.TextTestResult):
    "Counts the tests that passed and times each"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = 0
        self.durations = []
        self._started = time.monotonic()

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.durations.append((time.monotonic() - self._started, test.id()))

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def load(unit):
    "The tests of a unit: a module's name, or module:scenario.rst"
    loader = unittest.TestLoader()
    if ':' in unit:
        name, scenario = unit.split(':', 1)
        loader.testNamePatterns = [scenario]
    else:
        name = unit
    return loader.loadTestsFromName(name)


def run(unit, log):
    from tests import timings
    with open(log, 'w') as stream:
        os.dup2(stream.fileno(), 1)
        os.dup2(stream.fileno(), 2)
        started = time.monotonic()
        try:
            suite = load(unit)
        except Exception:
            import traceback
            error = traceback.format_exc()
            print(error, flush=True)
            return dict(unit=unit, passed=0, failed=1, skipped=0,
                failures=[f'{unit}: cannot be loaded\n{error}'],
                durations=[], timings=timings.take(),
                seconds=time.monotonic() - started)
        result = unittest.TextTestRunner(
            stream=sys.stderr, verbosity=2, resultclass=Result).run(suite)
        sys.stderr.flush()
        sys.stdout.flush()
    failures = [f'{test.id() if hasattr(test, "id") else test}\n{text}'
        for test, text in (result.failures + result.errors
            + [(t, 'unexpected success') for t in result.unexpectedSuccesses])]
    if not result.testsRun:
        failures.append(f'{unit}: ran no test')
    return dict(unit=unit, passed=result.passed, failed=len(failures),
        skipped=len(result.skipped), failures=failures,
        durations=result.durations, timings=timings.take(),
        seconds=time.monotonic() - started)


def main():
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    logs = pathlib.Path(os.environ['DP_TEST_LOGS'])
    answers = os.fdopen(os.dup(1), 'w')
    from tests import templates
    release = templates.patch_trytond_cache()
    for line in sys.stdin:
        unit = line.strip()
        if not unit:
            continue
        if unit == 'demo-template':
            unit_result = demo_template(logs / 'demo-template.log')
        else:
            unit_result = run(unit, logs / f'{unit.replace(":", "-")}.log')
        release()
        answers.write(json.dumps(unit_result) + '\n')
        answers.flush()


def demo_template(log):
    "Build the demo database's template if it is missing"
    from tests import server, timings
    with open(log, 'w') as stream:
        os.dup2(stream.fileno(), 1)
        os.dup2(stream.fileno(), 2)
        started = time.monotonic()
        failures = []
        try:
            server.DemoServer(name='template').ensure_template()
        except Exception:
            import traceback
            failures.append(
                f'the demo template cannot be built\n{traceback.format_exc()}')
            print(failures[-1], flush=True)
    return dict(unit='demo-template', passed=0, failed=len(failures),
        skipped=0, failures=failures, durations=[], timings=timings.take(),
        seconds=time.monotonic() - started)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Run every test of the project and end with one summary line:
"N passed, N failed[, N skipped]".

    tests/run.py [--deep] [-j N] [PART ...]

First the conventions (flake8, isort), then the units spread over processes
(one per core, -j or DP_TEST_JOBS for another number), each on databases of
its own (tests/worker.py): a unit is a test file of a module, one scenario
of a module, or a test file of tests/ and tests/reliability/.  The longest
units start first, by the times of the last run (var/test-durations.json);
the demo database's template is built first when missing, while the other
process runs the modules' tests.  PART restricts the run: a module's name,
"e2e" (tests/), "reliability" (tests/reliability/) or "lint".  --deep also
runs the long profiles (the fuzzer's 2,000 inputs an endpoint), the check
before a release.

Each unit's output is in var/test-logs/; the report prints each unit as it
ends, every failure, the slowest tests and the time of each part."""
import collections
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOGS = ROOT / 'var' / 'test-logs'
DURATIONS = ROOT / 'var' / 'test-durations.json'
# first-run guesses of a unit's seconds, by kind
GUESS = {'fuzz': 400, 'reliability': 150, 'e2e': 90, 'scenario': 90,
    'module': 60}


class Unit:
    def __init__(self, name, kind, part):
        self.name = name
        self.kind = kind
        self.part = part

    @property
    def needs_demo(self):
        return self.kind in {'e2e', 'reliability', 'fuzz'}


def units(parts):
    "The units of the parts asked for (every part by default)"
    sys.path.insert(0, str(ROOT))
    from tests import templates
    found = []
    for module in templates.modules():
        if parts and module not in parts:
            continue
        directory = ROOT / 'addons' / module / 'tests'
        for path in sorted(directory.glob('test_*.py')):
            name = f'trytond.modules.{module}.tests.{path.stem}'
            if path.stem == 'test_scenario':
                for scenario in sorted(directory.glob('*.rst')):
                    found.append(Unit(f'{name}:{scenario.name}', 'scenario',
                            'module suites'))
            else:
                found.append(Unit(name, 'module', 'module suites'))
    for part, directory in [('e2e', 'tests'),
            ('reliability', 'tests/reliability')]:
        if parts and part not in parts:
            continue
        for path in sorted((ROOT / directory).glob('test_*.py')):
            name = f'{directory.replace("/", ".")}.{path.stem}'
            if path.stem == 'test_fuzz':
                found.append(Unit(name, 'fuzz', 'fuzzer'))
            else:
                found.append(Unit(name, part, {
                            'e2e': 'end-to-end',
                            'reliability': 'reliability'}[part]))
    return found


def lint():
    "flake8 and isort with the project's settings: (name, failure or None)"
    checks = []
    for name, command in [
            ('flake8', ['flake8', '.']),
            ('isort', ['isort', '--check-only', '--diff', '.'])]:
        process = subprocess.run(
            [str(ROOT / '.venv' / 'bin' / command[0]), *command[1:]],
            cwd=ROOT, capture_output=True, text=True)
        output = (process.stdout + process.stderr).strip()
        checks.append((name, output if process.returncode else None))
    return checks


class Run:
    "The units handed to the worker processes, and what they answered"

    def __init__(self, selected, jobs, deep):
        self.jobs = jobs
        self.deep = deep
        known = {}
        if DURATIONS.exists():
            known = json.loads(DURATIONS.read_text())
        self.estimate = {u.name: known.get(u.name, GUESS[u.kind])
            for u in selected}
        self.pending = sorted(
            selected, key=lambda u: self.estimate[u.name], reverse=True)
        self.demo_ready = not any(u.needs_demo for u in selected)
        if not self.demo_ready:
            self.pending.insert(0, Unit('demo-template', 'demo', None))
        self.lock = threading.Condition()
        self.results = []
        self.done = 0
        self.total = len(self.pending)

    def next_unit(self):
        "The longest unit that can run now, waiting for the demo template"
        with self.lock:
            while self.pending:
                for unit in self.pending:
                    if self.demo_ready or not unit.needs_demo:
                        self.pending.remove(unit)
                        return unit
                self.lock.wait()
            return None

    def finished(self, unit, result):
        with self.lock:
            if unit.kind == 'demo':
                self.demo_ready = True
                if result['failed']:
                    # without the template none of them can run
                    for other in [u for u in self.pending if u.needs_demo]:
                        self.pending.remove(other)
                        self.total -= 1
            self.done += 1
            result['part'] = unit.part
            self.results.append(result)
            self._print(unit, result)
            self.lock.notify_all()

    def _print(self, unit, result):
        state = 'FAIL' if result['failed'] else 'ok'
        counts = f"{result['passed']} passed"
        if result['failed']:
            counts += f", {result['failed']} failed"
        if result['skipped']:
            counts += f", {result['skipped']} skipped"
        print(f"[{self.done:3}/{self.total}] {state:4} {unit.name} "
            f"({result['seconds']:.0f} s, {counts})", flush=True)
        for failure in result['failures']:
            print(_indent(failure), flush=True)

    def worker(self, index):
        "Feed one worker process unit after unit"
        env = dict(os.environ,
            DB_NAME=f'test_dp_run{os.getpid()}_{index}',
            DP_E2E_DATABASE=f'dp_run{os.getpid()}_{index}',
            DP_TEST_LOGS=str(LOGS), DP_FUZZ_SHARDS='1',
            DP_DEEP='1' if self.deep else '', PYTHONUNBUFFERED='1')
        process = subprocess.Popen(
            [sys.executable, str(ROOT / 'tests' / 'worker.py')],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=env, cwd=ROOT)
        try:
            while (unit := self.next_unit()) is not None:
                process.stdin.write(unit.name + '\n')
                process.stdin.flush()
                line = process.stdout.readline()
                if not line:
                    self.finished(unit, _crashed(unit))
                    process = None
                    return self.worker(index)
                self.finished(unit, json.loads(line))
        finally:
            if process:
                process.stdin.close()
                process.wait()

    def run(self):
        threads = [threading.Thread(target=self.worker, args=(i,))
            for i in range(self.jobs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _crashed(unit):
    log = LOGS / f'{unit.name.replace(":", "-")}.log'
    tail = log.read_text()[-3000:] if log.exists() else ''
    return dict(unit=unit.name, passed=0, failed=1, skipped=0,
        failures=[f'{unit.name}: the worker process died\n{tail}'],
        durations=[], timings=[], seconds=0)


def _indent(text):
    return '\n'.join('    ' + line for line in text.splitlines())


def report(run, checks, started):
    results = run.results
    failures = [f for r in results for f in r['failures']]
    failures += [f'{name}:\n{output}' for name, output in checks if output]
    if failures:
        print("\nfailures:")
        for failure in failures:
            print(_indent(failure))
    durations = sorted(
        (d for r in results for d in r['durations']), reverse=True)
    print("slowest tests:")
    for duration, name in durations[:15]:
        print(f"  {duration:6.0f} s  {name}")
    parts = collections.Counter()
    for result in results:
        if result['part']:
            parts[result['part']] += result['seconds']
        for part, seconds in result['timings']:
            parts[part] += seconds
    print(f"time of each part (summed over {run.jobs} processes; "
        "template builds are within their parts):")
    for part, seconds in sorted(parts.items(), key=lambda i: -i[1]):
        print(f"  {seconds:6.0f} s  {part}")
    print(f"time: {time.monotonic() - started:.0f} s")
    passed = sum(r['passed'] for r in results) + sum(
        1 for _, output in checks if not output)
    failed = sum(r['failed'] for r in results) + sum(
        1 for _, output in checks if output)
    skipped = sum(r['skipped'] for r in results)
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    return 0 if not failed and passed else 1


def save_durations(run):
    known = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    for result in run.results:
        if not result['failed']:
            known[result['unit']] = round(result['seconds'], 1)
    DURATIONS.write_text(json.dumps(known, indent=1, sort_keys=True))


def clean(uri):
    "Databases and folders of runs whose process is gone, stale templates"
    from tests import templates
    if uri.startswith('postgresql'):
        templates.prune(uri)
    for path in (ROOT / 'var').glob('run*_*'):
        pid = path.name[3:].split('_', 1)[0]
        if pid.isdigit() and not templates._alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def drop_own(uri):
    "This run's databases"
    import psycopg

    from tests import templates
    with psycopg.connect(uri, dbname='postgres', autocommit=True) as conn:
        for name, in conn.execute(
                "SELECT datname FROM pg_database").fetchall():
            if templates._run_database(name) == os.getpid():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(args):
    started = time.monotonic()
    deep = '--deep' in args
    jobs = int(os.environ.get('DP_TEST_JOBS') or os.cpu_count() or 2)
    if '-j' in args:
        jobs = int(args[args.index('-j') + 1])
        del args[args.index('-j'):args.index('-j') + 2]
    parts = [a for a in args if not a.startswith('--')]
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    checks = lint() if not parts or 'lint' in parts else []
    for name, output in checks:
        print(f"{'FAIL' if output else 'ok':4} {name}", flush=True)
    selected = [] if parts == ['lint'] else units(
        [p for p in parts if p != 'lint'])
    if selected and not uri.startswith('postgresql'):
        print("The tests run on PostgreSQL: use bin/test, or set "
            "TRYTOND_DATABASE_URI", file=sys.stderr)
        return 1
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    run = Run(selected, min(jobs, max(len(selected), 1)), deep)
    if selected:
        clean(uri)
        print(f"{len(selected)} units on {run.jobs} processes "
            f"(logs in {LOGS.relative_to(ROOT)})", flush=True)
        try:
            run.run()
        finally:
            drop_own(uri)
        save_durations(run)
    return report(run, checks, started)


if __name__ == '__main__':
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))

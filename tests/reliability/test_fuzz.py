# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Item 13: every portal form and JSON endpoint fed generated inputs
answers no server error, and a refused input (4xx) changes no business
record.

Two profiles: on every run 200 inputs an endpoint, generated from a seed
taken from the commit (printed, so that a failure can be replayed with
DP_FUZZ_SEED), so that each commit tries new ones; with DP_DEEP
(``bin/test --deep``, before a release) the 2,000 derandomized inputs an
endpoint.  Both first feed every input that ever failed, kept as explicit
examples in fuzz_examples.json: add a failure's reported input there.

The endpoints come from trytond's URL map (fuzz.py), so that a new route is
fuzzed without being named here.  Processes share them (one per core, at
least 2; DP_FUZZ_SHARDS), each driving trytond's WSGI application in the
process on a copy of the demo database of its own, as production is
configured (the queue left to a worker).  DP_FUZZ_INPUTS sets another
number of inputs per endpoint."""
import json
import os
import subprocess
import sys
import time
import unittest

from ..server import ROOT, DemoServer
from .fuzz_examples import load_examples
from .production import QUEUE

DEEP = bool(os.environ.get('DP_DEEP'))
INPUTS = int(os.environ.get('DP_FUZZ_INPUTS') or (2000 if DEEP else 200))
# processes, each with a database of its own: one per core
SHARDS = int(os.environ.get('DP_FUZZ_SHARDS', max(2, os.cpu_count() or 2)))
# as production, but a login's second wrong password is refused at once:
# the brute-force delay (2^n - 1 s before answering) is sleep, not work
OPTIONS = {**QUEUE, 'session': {'max_attempt': '0'}}


def seed():
    """The seed of this run's inputs: DP_FUZZ_SEED, else the commit's id
    (None, the derandomized inputs, for the deep profile)"""
    if os.environ.get('DP_FUZZ_SEED'):
        return int(os.environ['DP_FUZZ_SEED'])
    if DEEP:
        return None
    commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT,
        capture_output=True, text=True).stdout.strip()
    return int(commit[:8] or '0', 16)


class FuzzTestCase(unittest.TestCase):

    def test_endpoints(self):
        "No server error and no change on a refused input, per endpoint"
        servers = [DemoServer(name=f'fuzz{i}', options=OPTIONS)
            for i in range(SHARDS)]
        start = time.monotonic()
        inputs_seed = seed()
        print(f"fuzz: {INPUTS} inputs an endpoint, seed {inputs_seed} "
            f"(replay with DP_FUZZ_SEED={inputs_seed})", file=sys.stderr)
        processes = []
        for i, server in enumerate(servers):
            # a database of its own; the application runs in the fuzzer
            server._create_database()
            output = server.directory / 'fuzz.json'
            output.unlink(missing_ok=True)
            log = open(server.directory / 'fuzz.log', 'w')
            processes.append((server, output, log, subprocess.Popen([
                            sys.executable, '-m', 'tests.reliability.fuzz',
                            server.database, str(i), str(SHARDS),
                            str(INPUTS), str(output),
                            str(inputs_seed).lower()],
                        cwd=ROOT, env=server.env, stdout=log,
                        stderr=subprocess.STDOUT)))
        results = []
        for server, output, log, process in processes:
            process.wait()
            log.close()
            self.assertEqual(process.returncode, 0,
                (server.directory / 'fuzz.log').read_text()[-3000:])
            results.append(json.loads(output.read_text()))
        elapsed = time.monotonic() - start
        reports = [r for result in results for r in result['reports']]
        self._summary(reports, elapsed)

        endpoints = results[0]['endpoints']
        self.assertGreater(len(endpoints), 20)
        self.assertEqual(
            sorted(r['endpoint'] for r in reports), sorted(endpoints))
        examples = load_examples()
        self.assertLessEqual(set(examples), set(endpoints),
            "fuzz_examples.json names an endpoint that is gone")
        for report in reports:
            with self.subTest(endpoint=report['endpoint']):
                self.assertEqual(report['inputs'],
                    INPUTS + len(examples.get(report['endpoint'], [])))
                self.assertEqual(report['failures'], [],
                    f"replay with DP_FUZZ_SEED={inputs_seed}")

    @staticmethod
    def _summary(reports, elapsed):
        "What each endpoint was fed and answered, on stderr"
        lines = [f"fuzz: {len(reports)} endpoints in {elapsed:.0f} s"]
        for report in sorted(reports, key=lambda r: r['endpoint']):
            statuses = ' '.join(
                f'{k}:{v}' for k, v in report['statuses'].items())
            lines.append(
                f"  {report['endpoint']}: {report['inputs']} inputs, "
                f"{report['seconds']} s, {statuses}")
        print('\n'.join(lines), file=sys.stderr)

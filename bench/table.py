# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The bench's table: one row per figure, its absolute times and its
ratios against the baseline of the same run; then the goals, each met or
MISSED."""
import sys
from dataclasses import dataclass

COLUMNS = [
    # title, width
    ('figure', 56), ('database', 8), ('clients', 7), ('n', 6),
    ('total s', 8), ('median ms', 10), ('p95 ms', 8), ('req/s', 7),
    ('base ms', 8), ('x median', 8), ('x p95', 6), ('x req/s', 7),
    ]


@dataclass
class Row:
    figure: str
    database: str
    clients: int
    result: dict
    baseline: dict = None

    def ratio(self, key):
        value = self.result.get(key)
        base = (self.baseline or {}).get(key)
        return value / base if value and base else None

    def cells(self):
        result, baseline = self.result, self.baseline or {}
        return [
            self.figure, self.database, self.clients, result['count'],
            _number(result['elapsed'], 1),
            _ms(result['median']), _ms(result['p95']),
            _number(result['throughput'], 1), _ms(baseline.get('median')),
            _ratio(self.ratio('median')), _ratio(self.ratio('p95')),
            _ratio(self.ratio('throughput')),
            ]


@dataclass
class Goal:
    figure: str
    goal: str
    measured: float
    limit: float
    at_least: bool = False

    @property
    def met(self):
        if self.measured is None:
            return False
        if self.at_least:
            return self.measured >= self.limit
        return self.measured <= self.limit


def _number(value, digits):
    return '-' if value is None else f'{value:,.{digits}f}'


def _ms(seconds):
    "Milliseconds: three digits below one"
    if seconds is None:
        return '-'
    ms = seconds * 1000
    return f'{ms:.3f}' if ms < 1 else f'{ms:,.1f}'


def _ratio(value):
    if value is None:
        return '-'
    return f'{value:.2f}' if value >= 0.1 else f'{value:.2g}'


def _line(cells):
    return ' '.join(
        f'{str(c):{width}}' if i == 0 else f'{str(c):>{width}}'
        for i, (c, (_, width)) in enumerate(zip(cells, COLUMNS)))


class Table:
    "The rows measured, printed as they come and again all at the end"

    def __init__(self, out=sys.stdout):
        self.rows = []
        self.goals = []
        self.databases = {}
        self.out = out

    def header(self):
        print(_line([title for title, _ in COLUMNS]), file=self.out)

    def add(self, figure, database, clients, result, baseline=None):
        row = Row(figure, database, clients, result, baseline)
        self.rows.append(row)
        print(_line(row.cells()), file=self.out, flush=True)
        return row

    def database(self, label, description):
        "Name a database of the rows"
        self.databases[label] = description

    def goal(self, figure, goal, measured, limit, at_least=False):
        self.goals.append(Goal(figure, goal, measured, limit, at_least))

    def print(self):
        out = self.out
        print(file=out)
        print("figures (x: ratio to the baseline measured just before, on "
            "the same server and at the same concurrency; 'total s': the "
            "row's wall time)", file=out)
        for label, description in self.databases.items():
            print(f"  database {label}: {description}", file=out)
        self.header()
        for row in self.rows:
            print(_line(row.cells()), file=out)
        print(file=out)
        print(f"{'goal':72} {'limit':>13} {'measured':>9}  result",
            file=out)
        for goal in self.goals:
            limit = ('>= ' if goal.at_least else '<= ') + f'{goal.limit:g}'
            print(f"{goal.figure + ': ' + goal.goal:72} {limit:>13} "
                f"{_number(goal.measured, 2):>9}  "
                f"{'met' if goal.met else 'MISSED'}", file=out)
        met = sum(g.met for g in self.goals)
        print(f"{met} of {len(self.goals)} goals met", file=out, flush=True)

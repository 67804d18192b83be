# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""Times of the work a test run does besides its tests (template builds),
collected by the worker process that did it and summed up by tests/run.py."""
RECORDED = []


def record(part, seconds):
    RECORDED.append((part, seconds))


def take():
    "The times recorded since the last call"
    taken = list(RECORDED)
    RECORDED.clear()
    return taken

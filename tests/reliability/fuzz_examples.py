# This file is part of the Drop Points project.  The COPYRIGHT file at the
# top level of this repository contains the full copyright notices and
# license terms.
"""The fuzzer's explicit examples: every input that once failed, kept in
fuzz_examples.json by endpoint ("METHOD /rule") as Python literals of
(actor, the URL's parameters, the body), as the fuzzer reports a failure's
input.  They are fed before the generated inputs on every run."""
import ast
import json
import pathlib

EXAMPLES = pathlib.Path(__file__).with_name('fuzz_examples.json')


def load_examples():
    return {endpoint: [ast.literal_eval(e) for e in inputs]
        for endpoint, inputs in json.loads(EXAMPLES.read_text()).items()}

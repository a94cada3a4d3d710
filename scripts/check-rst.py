#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Parse reStructuredText files as the kernel's documentation build would,
and fail on any docutils warning or error.

Usage: check-rst.py FILE...

Sphinx's kernel-doc and toctree directives are not docutils': kernel-doc
is accepted here and checked separately (scripts/kernel-doc -Wall on the
headers it names), and a toctree entry must name an existing .rst file
beside the one that lists it, so that this check needs only
python3-docutils, not a Sphinx install.
"""
import io
import os
import sys

from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives
from docutils.utils import SystemMessage


class KernelDoc(Directive):
    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {name: directives.unchanged for name in
                   ("identifiers", "no-identifiers", "export", "internal",
                    "functions", "doc")}

    def run(self):
        return []


class Toctree(Directive):
    has_content = True
    option_spec = {name: directives.unchanged for name in
                   ("maxdepth", "caption", "numbered", "hidden", "glob",
                    "titlesonly")}

    def run(self):
        here = os.path.dirname(self.state.document.current_source)
        for entry in self.content:
            entry = entry.strip()
            if not entry or entry.startswith(":"):
                continue
            if not os.path.exists(os.path.join(here, entry + ".rst")):
                raise self.error(f"toctree entry {entry!r}: no {entry}.rst")
        return []


def main(paths):
    directives.register_directive("kernel-doc", KernelDoc)
    directives.register_directive("toctree", Toctree)
    failed = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        warnings = io.StringIO()
        try:
            publish_doctree(text, source_path=path,
                            settings_overrides={"halt_level": 2,
                                                "report_level": 2,
                                                "warning_stream": warnings})
        except SystemMessage:
            sys.stderr.write(warnings.getvalue())
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""The shipped calendar's own words as a PO template, for the Vietnamese catalogue.

rules/calendar.yaml names each holiday, the compensatory day's wording and every announced
day's reason and source. dunghen translates them when it loads the rules
(daemon/rules/calendar_rules.c), so they belong in the catalogue; xgettext cannot read YAML, so
this script writes them as po/rules-calendar.pot, which po/POTFILES.in lists (xgettext reads a
.pot like a source). Run it after editing rules/calendar.yaml:

    po/rules-messages.py > po/rules-calendar.pot

The `po` test fails when the committed file differs from what this prints.
"""
import os
import sys

import yaml

KEYS = ("name", "reason", "source")


def messages(node, found):
    """(text, line) of every scalar under a key in KEYS, in file order."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(value, yaml.ScalarNode) and key.value in KEYS and value.value:
                found.append((value.value, value.start_mark.line + 1))
            else:
                messages(value, found)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            messages(item, found)


def quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    relative = "rules/calendar.yaml"
    with open(os.path.join(root, relative), encoding="utf-8") as stream:
        document = yaml.compose(stream)
    found = []
    messages(document, found)
    lines = {}
    for text, line in found:
        lines.setdefault(text, []).append(line)
    out = sys.stdout
    out.write("# The words of the shipped rules/calendar.yaml (po/rules-messages.py writes this).\n")
    out.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n')
    for text, numbers in lines.items():
        out.write("\n#: " + " ".join("%s:%d" % (relative, n) for n in numbers) + "\n")
        out.write("#, no-c-format\n")
        out.write("msgid " + quoted(text) + '\nmsgstr ""\n')


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""check_contrib.py METRICS RULES DASHBOARD: every metric that the shipped alerting rules and
Grafana dashboard use is one that the daemon exposes.

METRICS is a live /metrics of the daemon (saved by e2e_metrics). The dashboard must parse as
JSON and be a dashboard (panels with targets); every PromQL expression of both files must name
at least one dunghen_ metric, and every metric it names must be a family of METRICS (a
histogram's _bucket, _sum and _count included), or `up`, which Prometheus itself records.
Prints one line per problem and a summary; exit status 1 when there is a problem.
"""
import json
import re
import sys

NAME = re.compile(r'\b(dunghen_[a-z0-9_]+|up)\b(?!\s*\()')


def exposed(path):
    families = {}
    for line in open(path, encoding='utf-8'):
        match = re.match(r'# TYPE (\S+) (\S+)', line)
        if match:
            families[match.group(1)] = match.group(2)
    names = {'up'}
    for family, kind in families.items():
        names.add(family)
        if kind == 'histogram':
            names.update(family + suffix for suffix in ('_bucket', '_sum', '_count'))
    return names


def rule_expressions(path):
    expressions = []
    for number, line in enumerate(open(path, encoding='utf-8'), 1):
        match = re.match(r'\s*expr:\s*(.+?)\s*$', line)
        if match:
            expressions.append((f'{path}:{number}', match.group(1)))
    return expressions


def dashboard_expressions(path):
    dashboard = json.load(open(path, encoding='utf-8'))
    if not isinstance(dashboard.get('panels'), list) or not dashboard.get('title'):
        raise ValueError(f'{path}: not a Grafana dashboard (no title or panels)')
    expressions = []
    for panel in dashboard['panels']:
        for target in panel.get('targets', []):
            expressions.append((f'{path}: panel "{panel["title"]}" {target["refId"]}',
                                target['expr']))
    for variable in dashboard.get('templating', {}).get('list', []):
        if variable.get('type') == 'query':
            expressions.append((f'{path}: variable {variable["name"]}', variable['definition']))
    return expressions


def main():
    metrics, rules, dashboard = sys.argv[1:4]
    known = exposed(metrics)
    problems = []
    try:
        expressions = rule_expressions(rules) + dashboard_expressions(dashboard)
    except (ValueError, KeyError, json.JSONDecodeError) as error:
        print(f'problem: {error}')
        return 1
    used = set()
    for where, expression in expressions:
        names = set(NAME.findall(expression))
        if not any(name.startswith('dunghen_') for name in names) and names != {'up'}:
            problems.append(f'{where}: names no dunghen metric: {expression}')
        for name in sorted(names - known):
            problems.append(f'{where}: {name} is not exposed by the daemon')
        used |= names
    for problem in problems:
        print(f'problem: {problem}')
    print(f'{len(expressions)} expressions, {len(used)} metric names, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

"""Validate depesche's story.json files against IPTC's ninjs JSON Schema.

Usage: python3 check_ninjs.py SCHEMA.json FILE...

Each file must validate under the schema (JSON Schema 2020-12, with the
date-time and URI formats checked where the installed checkers can), and
keep to what depesche promises: the story id as `uri`, the first and the
latest version's times, the versions as associations, no `edNote`.
Prints one line per problem and exits 1 if there was any.
"""

import json
import sys

import jsonschema


def problems_of(validator, path):
    with open(path, encoding="utf-8") as handle:
        item = json.load(handle)
    for error in validator.iter_errors(item):
        yield f"{path}: {'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
    if not str(item.get("uri", "")).startswith("tag:"):
        yield f"{path}: uri is not the story's tag: id"
    if "edNote" in json.dumps(item):
        yield f"{path}: has an edNote"
    versions = item.get("associations", [])
    if [v.get("version") for v in versions] != [str(n) for n in range(1, len(versions) + 1)]:
        yield f"{path}: the versions are not numbered 1, 2, ..."
    if versions and (versions[0].get("versionCreated") != item.get("firstCreated")
                     or versions[-1].get("versionCreated") != item.get("versionCreated")
                     or versions[-1].get("version") != item.get("version")):
        yield f"{path}: firstCreated/versionCreated/version disagree with the versions"


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    files = sys.argv[2:]
    problems = [p for path in files for p in problems_of(validator, path)]
    for problem in problems:
        print(f"problem: {problem}")
    print(f"{len(files)} story.json files checked against ninjs 3.1, {len(problems)} problems")
    sys.exit(1 if problems or not files else 0)


if __name__ == "__main__":
    main()

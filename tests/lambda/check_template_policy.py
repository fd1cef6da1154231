#!/usr/bin/env python3
"""Checks that deploy/template.yaml's execution role grants exactly the statements of
docs/iam-policy.json that `run` and `check` use, and no other DynamoDB permission.

Usage: check_template_policy.py TEMPLATE IAM_POLICY_JSON; exit 0 when they agree, 1 with
the differences otherwise.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from cfnlint.decode import decode

# The statements of docs/iam-policy.json a nightly run and a check need (README: the first
# six); the function never restores.
NEEDED = ["ListEverywhere", "ReadTables", "SelectByTag", "CreateBackups", "ReadBackups", "DeleteBackups"]


def plain(value: Any) -> Any:
    """The template's decoded YAML as plain JSON types."""
    return json.loads(json.dumps(value, default=str))


def main() -> int:
    template_path, policy_path = sys.argv[1], sys.argv[2]
    template, errors = decode(template_path)
    if errors or template is None:
        print(f"cannot read {template_path}: {errors}")
        return 1
    with open(policy_path) as fh:
        wanted = {s["Sid"]: s for s in json.load(fh)["Statement"]}
    role = template["Resources"]["ExecutionRole"]["Properties"]
    problems: list[str] = []
    policies = [p for p in role["Policies"] if isinstance(p, dict) and "PolicyName" in p]
    main_policy = [p for p in policies if p["PolicyName"] == "ddb-backup"]
    if len(main_policy) != 1:
        print("the execution role has no single policy named ddb-backup")
        return 1
    got = plain(main_policy[0]["PolicyDocument"]["Statement"])
    got_sids = [s.get("Sid") for s in got]
    if got_sids != NEEDED:
        problems.append(f"statements {got_sids}, expected {NEEDED}")
    for s in got:
        sid = s.get("Sid")
        if sid in wanted and s != wanted[sid]:
            problems.append(f"statement {sid} differs: template {s} != docs {wanted[sid]}")
    # The archive policy (only with an ArchiveBucket): the docs' Export statement as it is,
    # the bucket statements with the bucket's name in place of the docs' placeholder.
    archive = [
        p["Fn::If"][1] for p in role["Policies"]
        if isinstance(p, dict) and "Fn::If" in p and p["Fn::If"][0] == "ExportsToS3"
    ]
    if len(archive) != 1 or archive[0].get("PolicyName") != "archive-exports":
        problems.append("no archive-exports policy under the ExportsToS3 condition")
    else:
        for s in plain(archive[0]["PolicyDocument"]["Statement"]):
            want = dict(wanted.get(s.get("Sid"), {}))
            if s.get("Sid") in ("ArchiveBucket", "ArchiveObjects"):
                res = json.dumps(want.get("Resource")).replace("YOUR-ARCHIVE-BUCKET", "${ArchiveBucket}")
                want["Resource"] = {"Fn::Sub": json.loads(res)}
            if s != want:
                problems.append(f"archive statement {s.get('Sid')} differs: {s} != docs {want}")
        got_archive = [s.get("Sid") for s in archive[0]["PolicyDocument"]["Statement"]]
        if got_archive != ["Export", "ArchiveBucket", "ArchiveObjects"]:
            problems.append(f"archive statements {got_archive}")
    # No other policy of the role may grant DynamoDB or tagging actions.
    for p in policies:
        if p["PolicyName"] == "ddb-backup":
            continue
        for s in plain(p["PolicyDocument"]["Statement"]):
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            extra = [a for a in actions if a.split(":")[0] in ("dynamodb", "tag")]
            if extra:
                problems.append(f"policy {p['PolicyName']} also grants {extra}")
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

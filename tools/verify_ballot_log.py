#!/usr/bin/env python3
"""Standalone verifier of Yishiting ballot logs, format ``yishiting-ballot-log/1``.

    python verify_ballot_log.py EXPORT.json [--receipt HASH]

Python standard library only, and on purpose no code shared with the app: this is a second,
independent reading of the public format described in DESIGN.md ("Ballot log"). It re-checks

* the manifest and its hash,
* every record: its fields, its hash ``H(0x00 || canon(record without "hash"))``, the chain
  (``prev``), the numbering (``seq`` 0, 1, 2, ... without gaps), duplicates, and that its choices
  are a valid ballot for the method,
* the participation list against the ballots, and the ballots against the electorate size,
* every checkpoint's root against the RFC 6962 Merkle root of that prefix of the log,
* the published result against a recount of the ballots (counts, quorum, thresholds, winners
  with ties by lot ``SHA256(root_hex + option_id)``, the Method of Equal Shares with completion
  and the greedy outcome beside it).

Prints ``VALID ...`` and exits 0, or ``INVALID: reason`` (the first problem found) and exits 1. With ``--receipt HASH`` it also prints the inclusion proof of that ballot and
checks it against the log's root.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from collections import Counter
from fractions import Fraction

FORMAT = "yishiting-ballot-log/1"
ANSWERS = ["yes", "no", "abstain"]
HEX64 = re.compile(r"^[0-9a-f]{64}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")
UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
PARAMS = {  # method -> (required keys, optional keys)
    "approval": ({"max_choices", "seats", "threshold", "quorum"}, {"budget"}),
    "item_by_item": ({"threshold", "quorum"}, set()),
    "equal_shares": ({"budget", "quorum"}, set()),
    "ratification": ({"quorum"}, set()),
}


class Invalid(Exception):
    """The log fails a check."""


# --- hashing ------------------------------------------------------------------------------


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_of(record: dict) -> str:
    rest = dict(record)
    del rest["hash"]
    return sha(b"\x00" + canonical(rest)).hex()


def interior(left: bytes, right: bytes) -> bytes:
    return sha(b"\x01" + left + right)


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_hash(leaves: list[bytes]) -> bytes:
    """MTH of RFC 6962 section 2.1, by its recursive definition (leaves are leaf hashes)."""
    if not leaves:
        return sha(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_of_two_below(len(leaves))
    return interior(tree_hash(leaves[:k]), tree_hash(leaves[k:]))


def prefix_roots(leaves: list[bytes], sizes: set[int]) -> dict[int, str]:
    """Roots of the given prefix sizes in one pass, keeping the perfect subtrees on a stack."""
    roots = {}
    if 0 in sizes:
        roots[0] = sha(b"").hex()
    stack: list[tuple[int, bytes]] = []  # (height, hash), heights strictly decreasing
    for count, leaf in enumerate(leaves, start=1):
        stack.append((0, leaf))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            (h, right), (_, left) = stack.pop(), stack.pop()
            stack.append((h + 1, interior(left, right)))
        if count in sizes:
            acc = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                acc = interior(left, acc)
            roots[count] = acc.hex()
    return roots


def audit_path(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1: the leaf's sibling first."""
    if len(leaves) <= 1:
        return []
    k = largest_power_of_two_below(len(leaves))
    if index < k:
        return audit_path(index, leaves[:k]) + [tree_hash(leaves[k:])]
    return audit_path(index - k, leaves[k:]) + [tree_hash(leaves[:k])]


def proof_holds(leaf_hex: str, index: int, size: int, proof: list | None, root_hex: str) -> bool:
    """Rebuild the root from a leaf and its audit path, walking the tree from the top down."""
    proof = list(proof or [])
    if not all(isinstance(x, str) and HEX64.match(x) for x in [leaf_hex, root_hex, *proof]):
        return False
    if not (isinstance(index, int) and isinstance(size, int) and 0 <= index < size):
        return False
    siblings = [bytes.fromhex(x) for x in proof]

    def rebuild(i: int, n: int, depth_left: list[bytes]) -> bytes | None:
        if n == 1:
            return bytes.fromhex(leaf_hex)
        if not depth_left:
            return None
        sibling = depth_left.pop()  # the topmost sibling is the last one of the path
        k = largest_power_of_two_below(n)
        if i < k:
            below = rebuild(i, k, depth_left)
            return None if below is None else interior(below, sibling)
        below = rebuild(i - k, n - k, depth_left)
        return None if below is None else interior(sibling, below)

    remaining = list(siblings)
    got = rebuild(index, size, remaining)
    return got is not None and not remaining and got.hex() == root_hex


def lot(root_hex: str, option_id: str) -> str:
    return hashlib.sha256((root_hex + option_id).encode("utf-8")).hexdigest()


# --- recount ----------------------------------------------------------------------------------


def mes_run(
    groups: list[tuple[frozenset, int]], costs: dict, share: Fraction, tiebreak
) -> list[str]:
    """One Method of Equal Shares run, cost satisfaction, every voter starting with ``share``.

    Voters with the same approval set are one group: they always hold the same money.
    """
    money = [share for _ in groups]
    support = {p: [g for g, (s, _) in enumerate(groups) if p in s] for p in costs}
    voters = {p: sum(groups[g][1] for g in support[p]) for p in costs}
    open_projects = [p for p in costs if voters[p] > 0 and costs[p] > 0]
    floor = {p: Fraction(1, voters[p]) for p in open_projects}  # rho never drops below this
    chosen: list[str] = []
    while open_projects:
        open_projects.sort(key=lambda p: floor[p])
        best = None
        candidates: list[str] = []
        for p in list(open_projects):
            if best is not None and floor[p] > best:
                break
            levels: Counter = Counter()
            exact = {}
            for g in support[p]:
                if money[g] > 0:
                    key = (money[g].numerator, money[g].denominator)
                    levels[key] += groups[g][1]
                    exact[key] = money[g]
            wallet = sorted((exact[key], n) for key, n in levels.items())
            if sum(m * n for m, n in wallet) < costs[p]:
                open_projects.remove(p)
                continue
            still, rest = sum(n for _, n in wallet), Fraction(costs[p])
            for m, n in wallet:
                if m * still >= rest:
                    break
                rest -= m * n
                still -= n
            rho = rest / still / costs[p]
            floor[p] = rho
            if best is None or rho < best:
                best, candidates = rho, [p]
            elif rho == best:
                candidates.append(p)
        if best is None:
            break
        candidates.sort(key=tiebreak)
        winner = candidates[0]
        chosen.append(winner)
        open_projects.remove(winner)
        price = best * costs[winner]
        for g in support[winner]:
            money[g] = money[g] - price if money[g] > price else Fraction(0)
    return chosen


def mes_run_tracked(groups: list[tuple[frozenset, int]], costs: dict, share: Fraction, tiebreak):
    """The same run with every amount written as ``a + b*t`` (``t`` = extra share per voter).

    Returns the funded projects and the largest integer ``t`` for which every decision of the run
    (affordable or not, who pays all they have, which project asks least per unit of cost) comes
    out the same at ``share + t``; None when no such limit exists. The outcome is then the same
    for every share from ``share`` to ``share + t``.
    """
    slack: list = [None]

    def keep(a: Fraction, b: Fraction, strict: bool = False) -> None:
        # a + b*t >= 0 (> 0 when strict) holds at t = 0; find the last integer t where it still does
        if b >= 0 or slack[0] == 0:
            return
        edge = a / -b
        last = math.ceil(edge) - 1 if strict else math.floor(edge)
        if slack[0] is None or last < slack[0]:
            slack[0] = last

    none = (Fraction(0), Fraction(0))
    money = [(share, Fraction(1)) for _ in groups]
    support = {p: [g for g, (s, _) in enumerate(groups) if p in s] for p in costs}
    voters = {p: sum(groups[g][1] for g in support[p]) for p in costs}
    open_projects = [p for p in costs if voters[p] > 0 and costs[p] > 0]
    chosen: list[str] = []
    while open_projects:
        offers = {}
        for p in list(open_projects):
            wallet = sorted(
                ((money[g], groups[g][1]) for g in support[p] if money[g][0] > 0),
                key=lambda w: w[0][0],
            )
            have_a = sum(m[0] * n for m, n in wallet)
            have_b = sum(m[1] * n for m, n in wallet)
            if have_a < costs[p]:
                keep(costs[p] - have_a, -have_b, strict=True)
                open_projects.remove(p)
                continue
            keep(have_a - costs[p], have_b)
            still, rest_a, rest_b, cut = (
                sum(n for _, n in wallet),
                Fraction(costs[p]),
                Fraction(0),
                0,
            )
            for (ma, mb), n in wallet:
                if ma * still >= rest_a:
                    break
                rest_a, rest_b, still, cut = rest_a - ma * n, rest_b - mb * n, still - n, cut + 1
            part_a, part_b = rest_a / still, rest_b / still
            for i, ((ma, mb), _) in enumerate(wallet):
                if i < cut:
                    keep(part_a - ma, part_b - mb)
                else:
                    keep(ma - part_a, mb - part_b)
            offers[p] = (part_a / costs[p], part_b / costs[p], part_a, part_b)
        if not offers:
            break
        winner = min(offers, key=lambda p: (offers[p][0], tiebreak(p)))
        wa, wb, part_a, part_b = offers[winner]
        for q, (qa, qb, _, _) in offers.items():
            if q != winner:
                keep(qa - wa, qb - wb, strict=tiebreak(q) < tiebreak(winner))
        chosen.append(winner)
        open_projects.remove(winner)
        for g in support[winner]:
            ma, mb = money[g]
            if ma == 0:
                continue
            if ma > part_a:
                money[g] = (ma - part_a, mb - part_b)
                keep(ma - part_a, mb - part_b)
            else:
                money[g] = none
                keep(part_a - ma, part_b - mb)
    return chosen, slack[0]


def equal_shares_with_completion(ballots: list[list[str]], costs: dict, budget: int, root: str):
    counted = Counter(frozenset(b) for b in ballots if b)
    groups = list(counted.items())
    approvals = Counter(p for b in ballots for p in b)

    def tiebreak(p):
        return (costs[p], -approvals[p], lot(root, p))

    fundable = {p for p in costs if approvals[p] > 0 and costs[p] > 0}
    if not ballots or not fundable:
        return [], None
    # DESIGN.md: try share B/n, B/n + 1, B/n + 2, ... while the outcome costs at most B, and keep
    # the last outcome that fitted (stop once everything approved is funded). A tracked run tells
    # how many following shares give the same outcome; those are skipped, which changes nothing.
    # Where outcomes change at almost every step, plain runs are cheaper: use them for a while.
    share = Fraction(budget, len(ballots))
    last, steady = mes_run_tracked(groups, costs, share, tiebreak)
    plain, wait = 0, 1
    while set(last) != fundable and steady is not None:
        nxt = share + steady + 1
        if plain:
            outcome, steady_next, plain = mes_run(groups, costs, nxt, tiebreak), 0, plain - 1
        else:
            outcome, steady_next = mes_run_tracked(groups, costs, nxt, tiebreak)
            if steady_next == 0:
                plain, wait = wait, wait * 2
            else:
                wait = 1
        if sum(costs[p] for p in outcome) > budget:
            return last, nxt - 1
        last, share, steady = outcome, nxt, steady_next
    return last, share


def recount(manifest: dict, choices: list[dict], root: str) -> dict:
    method, params = manifest["method"], manifest["params"]
    n = len(choices)
    quorum_met = n > params["quorum"]
    out = {
        "ballots": n,
        "electorate": manifest["electorate"]["size"],
        "quorum_met": quorum_met,
        "root": root,
    }
    if method == "ratification":
        for a in ANSWERS:
            out[a] = sum(1 for c in choices if c["answer"] == a)
        out["adopted"] = quorum_met and out["yes"] * 2 > n
        return out
    ids = [o["id"] for o in manifest["options"]]
    costs = {o["id"]: o["cost"] for o in manifest["options"]}
    if method == "item_by_item":
        table = {i: {a: sum(1 for c in choices if c[i] == a) for a in ANSWERS} for i in ids}
        out["options"] = table
        passed = sorted(
            (i for i in ids if table[i]["yes"] > params["threshold"]),
            key=lambda i: (-table[i]["yes"], lot(root, i)),
        )
        out["winners"] = passed if quorum_met else []
        return out
    votes = {i: sum(1 for c in choices if i in c["approve"]) for i in ids}
    out["options"] = {i: {"approvals": votes[i]} for i in ids}
    if method == "approval":
        ranked = sorted(
            (i for i in ids if votes[i] > params["threshold"]),
            key=lambda i: (-votes[i], lot(root, i)),
        )
        limit = params.get("budget")
        won: list[str] = []
        for i in ranked:
            if len(won) >= params["seats"]:
                break
            if limit is None or sum(costs[w] for w in won) + costs[i] <= limit:
                won.append(i)
        out["winners"] = won if quorum_met else []
        return out
    budget = params["budget"]
    won, share, plain = [], None, []
    if quorum_met:
        won, share = equal_shares_with_completion(
            [c["approve"] for c in choices], costs, budget, root
        )
        spent = 0
        for i in sorted(
            (i for i in ids if votes[i] > 0), key=lambda i: (-votes[i], costs[i], lot(root, i))
        ):
            if spent + costs[i] <= budget:
                plain.append(i)
                spent += costs[i]
    out["winners"] = won
    out["cost"] = sum(costs[i] for i in won)
    out["share"] = None if share is None else str(share)
    out["greedy_winners"] = plain
    out["greedy_cost"] = sum(costs[i] for i in plain)
    return out


# --- checks -----------------------------------------------------------------------------------


def whole_number(x) -> bool:
    return type(x) is int


def check_manifest(m) -> None:
    fields = {
        "vote",
        "title",
        "method",
        "options",
        "params",
        "electorate",
        "secrecy",
        "opens_at",
        "closes_at",
    }
    if not isinstance(m, dict) or set(m) != fields:
        raise Invalid("the manifest does not have exactly the fields " + ", ".join(sorted(fields)))
    if m["method"] not in PARAMS:
        raise Invalid(f"unknown method {m['method']!r}")
    if not whole_number(m["vote"]) or not isinstance(m["title"], str):
        raise Invalid("the manifest's vote or title is malformed")
    if m["secrecy"] not in ("open", "secret"):
        raise Invalid("the manifest's secrecy is neither open nor secret")
    for key in ("opens_at", "closes_at"):
        if not isinstance(m[key], str) or not UTC_TIME.match(m[key]):
            raise Invalid(f"the manifest's {key} is not an ISO 8601 UTC time")
    e = m["electorate"]
    if (
        not isinstance(e, dict)
        or set(e) != {"kind", "size"}
        or not whole_number(e["size"])
        or e["size"] < 0
    ):
        raise Invalid("the manifest's electorate is not {kind, size}")
    if not isinstance(m["options"], list):
        raise Invalid("the manifest's options are not a list")
    seen = set()
    for o in m["options"]:
        if (
            not isinstance(o, dict)
            or set(o) != {"id", "title", "cost"}
            or not isinstance(o["id"], str)
            or not o["id"]
            or not whole_number(o["cost"])
            or o["cost"] < 0
        ):
            raise Invalid(f"malformed option {o!r}")
        if o["id"] in seen:
            raise Invalid(f"option id {o['id']} appears twice")
        if m["method"] == "equal_shares" and o["cost"] == 0:
            raise Invalid(f"option {o['id']} of an equal-shares vote costs nothing")
        seen.add(o["id"])
    if m["method"] != "ratification" and not seen:
        raise Invalid("the vote has no options")
    required, optional = PARAMS[m["method"]]
    p = m["params"]
    if not isinstance(p, dict) or not required <= set(p) <= required | optional:
        raise Invalid(
            f"the params of a {m['method']} vote are not {sorted(required)} (+ {sorted(optional)})"
        )
    for key, value in p.items():
        if key == "budget" and value is None and m["method"] == "approval":
            continue
        if (
            not whole_number(value)
            or value < 0
            or (value == 0 and key in ("seats", "max_choices", "budget"))
        ):
            raise Invalid(f"parameter {key} = {value!r} is not allowed")


def ballot_problem(method: str, ids: list[str], params: dict, choices) -> str | None:
    """Why ``choices`` is not a valid (and canonical) ballot for the method, or None."""
    if not isinstance(choices, dict):
        return "the choices are not an object"
    if method == "ratification":
        if list(choices) != ["answer"] or choices["answer"] not in ANSWERS:
            return 'a ratification ballot is {"answer": yes|no|abstain}'
        return None
    if method == "item_by_item":
        if set(choices) != set(ids):
            return "an item-by-item ballot answers every option and nothing else"
        if any(v not in ANSWERS for v in choices.values()):
            return "an item-by-item answer is not yes, no or abstain"
        return None
    if list(choices) != ["approve"] or not isinstance(choices["approve"], list):
        return 'an approval ballot is {"approve": [...]}'
    picked = choices["approve"]
    if any(not isinstance(x, str) or x not in ids for x in picked):
        return "the ballot approves an unknown option"
    if picked != sorted(set(picked)):
        return "the approved options are not sorted and unique"
    if method == "approval" and len(picked) > params["max_choices"]:
        return f"{len(picked)} approvals where at most {params['max_choices']} are allowed"
    return None


def verify(doc) -> tuple[list[str], dict]:
    """All problems found (empty when valid) and facts for the verdict line."""
    problems: list[str] = []
    facts: dict = {}
    try:
        if not isinstance(doc, dict):
            raise Invalid("the file is not a JSON object")
        if doc.get("format") != FORMAT:
            raise Invalid(f"the format is {doc.get('format')!r}, not {FORMAT}")
        top = {
            "format",
            "manifest",
            "manifest_hash",
            "ballots",
            "checkpoints",
            "participation",
            "result",
        }
        if set(doc) != top:
            raise Invalid("the document does not have exactly the fields " + ", ".join(sorted(top)))
        m = doc["manifest"]
        check_manifest(m)
        facts["manifest"] = m
        head = sha(canonical(m)).hex()
        if doc["manifest_hash"] != head:
            raise Invalid(
                f"manifest hash mismatch: the manifest hashes to {head}, the file says {doc['manifest_hash']}"
            )
        ids = [o["id"] for o in m["options"]]
        records = doc["ballots"]
        if not isinstance(records, list):
            raise Invalid("the ballots are not a list")
        fields = {"seq", "vote", "cast_at", "voter", "choices", "nonce", "prev", "hash"}
        link, leaves, choices, names, nonces = head, [], [], [], set()
        for pos, r in enumerate(records):
            if not isinstance(r, dict) or set(r) != fields:
                raise Invalid(
                    f"ballot at position {pos} does not have exactly the fields {', '.join(sorted(fields))}"
                )
            if not whole_number(r["seq"]) or r["seq"] != pos:
                raise Invalid(f"gap or disorder in the log: position {pos} holds seq {r['seq']!r}")
            if r["prev"] != link:
                raise Invalid(f"broken chain at seq {pos}: prev does not match the previous hash")
            if not isinstance(r["hash"], str) or leaf_of(r) != r["hash"]:
                raise Invalid(f"record hash mismatch at seq {pos}: the record was altered")
            if not whole_number(r["vote"]) or r["vote"] != m["vote"]:
                raise Invalid(f"seq {pos} belongs to another vote ({r['vote']!r})")
            if not isinstance(r["cast_at"], str) or not UTC_TIME.match(r["cast_at"]):
                raise Invalid(f"seq {pos}: cast_at is not an ISO 8601 UTC time")
            if not isinstance(r["nonce"], str) or not HEX32.match(r["nonce"]):
                raise Invalid(f"seq {pos}: the nonce is not 32 hex digits")
            if r["nonce"] in nonces:
                raise Invalid(f"seq {pos} duplicates an earlier ballot (same nonce)")
            nonces.add(r["nonce"])
            if m["secrecy"] == "secret" and r["voter"] is not None:
                raise Invalid(f"seq {pos}: a secret vote's record names its voter")
            if m["secrecy"] == "open" and (not isinstance(r["voter"], str) or not r["voter"]):
                raise Invalid(f"seq {pos}: an open vote's record does not name its voter")
            why = ballot_problem(m["method"], ids, m["params"], r["choices"])
            if why:
                raise Invalid(f"invalid ballot at seq {pos} for {m['method']}: {why}")
            link = r["hash"]
            leaves.append(bytes.fromhex(r["hash"]))
            choices.append(r["choices"])
            names.append(r["voter"])
        n = len(records)
        facts["ballots"] = n
        people = doc["participation"]
        if not isinstance(people, list) or any(not isinstance(x, str) for x in people):
            raise Invalid("the participation list is not a list of names")
        if n > len(people):
            raise Invalid(f"more ballots ({n}) than participants ({len(people)})")
        if n < len(people):
            raise Invalid(
                f"fewer ballots ({n}) than participants ({len(people)}): a ballot is missing"
            )
        if people != sorted(people):
            raise Invalid("the participation list is not sorted")
        if m["secrecy"] == "open" and sorted(names) != people:
            raise Invalid("the participation list does not match the voters named in the records")
        if n > m["electorate"]["size"]:
            raise Invalid(f"more ballots ({n}) than the electorate ({m['electorate']['size']})")
        cps = doc["checkpoints"]
        if not isinstance(cps, list):
            raise Invalid("the checkpoints are not a list")
        sizes = set()
        for j, cp in enumerate(cps):
            if (
                not isinstance(cp, dict)
                or set(cp) != {"size", "root", "at"}
                or not whole_number(cp["size"])
            ):
                raise Invalid(f"checkpoint {j} is not {{size, root, at}}")
            if not 0 <= cp["size"] <= n:
                raise Invalid(f"checkpoint {j} claims {cp['size']} ballots; the log has {n}")
            if j and cp["size"] < cps[j - 1]["size"]:
                raise Invalid(f"checkpoint {j} is smaller than the checkpoint before it")
            if not isinstance(cp["at"], str) or not UTC_TIME.match(cp["at"]):
                raise Invalid(f"checkpoint {j}: at is not an ISO 8601 UTC time")
            sizes.add(cp["size"])
        roots = prefix_roots(leaves, sizes | {n})
        for j, cp in enumerate(cps):
            if cp["root"] != roots[cp["size"]]:
                raise Invalid(
                    f"checkpoint {j} (size {cp['size']}): its root is not the root of that prefix of the log"
                )
        if not cps or cps[-1]["size"] != n:
            raise Invalid("no closing checkpoint covers the whole log")
        root = roots[n]
        facts["root"] = root
        facts["leaves"] = leaves
        expected = recount(m, choices, root)
        facts["result"] = expected
        got = doc["result"]
        if got != expected:
            if not isinstance(got, dict):
                raise Invalid("the result is not an object")
            for key in sorted(set(got) | set(expected)):
                if got.get(key) != expected.get(key):
                    raise Invalid(
                        f"the result differs from its recount: {key} is {json.dumps(got.get(key), ensure_ascii=False)}"
                        f" but the recount gives {json.dumps(expected.get(key), ensure_ascii=False)}"
                    )
    except Invalid as e:
        problems.append(str(e))
    return problems, facts


def verdict(facts: dict) -> str:
    m, r = facts["manifest"], facts["result"]
    line = (
        f'VALID {FORMAT}: vote {m["vote"]} "{m["title"]}" ({m["method"]}, {m["secrecy"]}), '
        f"{facts['ballots']} ballots of an electorate of {m['electorate']['size']}, "
        f"quorum {'met' if r['quorum_met'] else 'NOT met'}, root {facts['root']}"
    )
    if m["method"] == "ratification":
        line += f"; yes {r['yes']}, no {r['no']}, abstain {r['abstain']}: {'adopted' if r['adopted'] else 'not adopted'}"
    else:
        line += "; winners: " + (", ".join(r["winners"]) or "none")
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Verify a Yishiting ballot log export (yishiting-ballot-log/1)."
    )
    parser.add_argument("file", help="the exported JSON document")
    parser.add_argument(
        "--receipt",
        help="a ballot's receipt (its record hash, or the short code shown beside it): "
        "print and check its inclusion proof",
    )
    args = parser.parse_args(argv)
    try:
        with open(args.file, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as e:
        print(f"INVALID: cannot read {args.file} as JSON: {e}")
        return 1
    problems, facts = verify(doc)
    if problems:
        print(f"INVALID: {problems[0]}")
        return 1
    print(verdict(facts))
    if args.receipt:
        # the full hash, or the short code shown beside it (its first 8 hex digits, e.g. ABCD-1234)
        wanted = args.receipt.strip().lower().replace("-", "")
        hexes = [leaf.hex() for leaf in facts["leaves"]]
        if len(wanted) < 8 or not HEX64.match(wanted.ljust(64, "0")):
            print(
                f"INVALID: {args.receipt!r} is neither a receipt (64 hex digits) nor its short code"
            )
            return 1
        found = [i for i, h in enumerate(hexes) if h.startswith(wanted)]
        if not found:
            print(f"INVALID: receipt {wanted} is not in this log")
            return 1
        if len(found) > 1:
            print(f"INVALID: {len(found)} ballots start with {wanted}: give the full receipt")
            return 1
        index = found[0]
        wanted = hexes[index]
        path = [x.hex() for x in audit_path(index, facts["leaves"])]
        print(f"receipt {wanted}: ballot seq {index}, tree size {len(hexes)}")
        print("inclusion proof (leaf sibling first):")
        for step in path:
            print(f"  {step}")
        if not proof_holds(wanted, index, len(hexes), path, facts["root"]):
            print(f"INVALID: the inclusion proof does not lead to the root {facts['root']}")
            return 1
        print(f"the proof leads to the root {facts['root']}: the ballot is in the counted log")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Tallies of the four vote methods (DESIGN.md, "Votes"). Pure functions, exact integers and
``fractions.Fraction`` only, no floats.

``tally(manifest, ballots_choices, root_hex)`` returns the export's ``result`` object; its
layout (every key always present, nothing else):

* all methods: ``"ballots"`` (number of ballots = participants), ``"electorate"`` (its size),
  ``"quorum_met"`` (ballots > params.quorum), ``"root"`` (the log's final Merkle root, which also
  draws the lots).
* ``approval``: ``"options": {id: {"approvals": n}}``, ``"winners"``: options whose approvals
  exceed ``threshold``, by approvals (ties by lot), at most ``seats`` of them; with a ``budget``,
  an option that no longer fits is skipped and the next one tried.
* ``item_by_item``: ``"options": {id: {"yes": n, "no": n, "abstain": n}}``, ``"winners"``: options
  whose yes votes exceed ``threshold``, by yes votes (ties by lot).
* ``equal_shares``: ``"options": {id: {"approvals": n}}``, ``"winners"`` (the Method of Equal
  Shares with completion, in the order it funds them), ``"cost"`` (their total cost),
  ``"share"`` (the per-voter share of the final run as an exact fraction string such as
  ``"1519/5"``, or null when nothing was run), ``"greedy_winners"`` and ``"greedy_cost"`` (most
  approvals first, skipping what does not fit).
* ``ratification``: ``"yes"``, ``"no"``, ``"abstain"``, ``"adopted"`` (quorum met and yes > half
  of the ballots; abstentions count among those who took part). No ``options``/``winners``.

When the quorum is not met there are no winners (``[]``, also for ``greedy_winners``) and a
ratification is not adopted; the counts are still published.

**Lot**: tied options are ordered by ``SHA256(root_hex + option_id)`` (UTF-8, lowercase hex),
smallest first — see :func:`lot_key`.

**Method of Equal Shares** (equalshares.net, cost satisfaction): n = number of ballots, each
voter starts with share s; repeatedly, among the projects whose supporters together still hold
at least its cost, fund the one whose cost, split as equally as possible among its supporters
(those who cannot pay the equal part pay all they have), asks the least per unit of cost, i.e.
the smallest ``max payment / cost``; ties: lower cost, then more approvals, then lot. Projects
nobody approves are never funded. **Completion**: s = B/n, B/n + 1, B/n + 2, ... while the
outcome costs at most B; the result is the last outcome that fitted. It stops early when an
outcome already funds every approved project.

**Greedy** (shown beside it): projects with at least one approval by approvals descending, then
lower cost, then lot; take each one that still fits in the budget.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import cast

from app.votes.ballot_log import ANSWERS


def lot_key(root_hex: str, option_id: str) -> str:
    """The lot of an option: ``SHA256(root_hex + option_id)`` in hex; smaller wins a tie."""
    return hashlib.sha256((root_hex + option_id).encode("utf-8")).hexdigest()


# --- Method of Equal Shares -------------------------------------------------------------------


class _Election:
    """Ballots grouped by identical approval set: voters of a group always hold the same budget."""

    def __init__(self, voters_approvals: Iterable[Iterable[str]], costs: dict[str, int]):
        self.n = 0
        groups: Counter[frozenset[str]] = Counter()
        for approvals in voters_approvals:
            self.n += 1
            approved = frozenset(a for a in approvals if a in costs)
            if approved:
                groups[approved] += 1
        self.sets = list(groups)
        self.counts = [groups[s] for s in self.sets]
        self.costs = costs
        self.approvals = {p: 0 for p in costs}
        self.supporters: dict[str, list[int]] = {p: [] for p in costs}
        for g, approved in enumerate(self.sets):
            for p in approved:
                self.approvals[p] += self.counts[g]
                self.supporters[p].append(g)
        self.candidates = [p for p in costs if self.approvals[p] > 0 and costs[p] > 0]

    def run(self, share: Fraction, tie_key: Callable[[str], object]) -> list[str]:
        """One run of the Method of Equal Shares with every voter starting at ``share``."""
        costs, sets = self.costs, self.sets
        budget = [share] * len(sets)
        # per project: its supporters' budgets, as {budget: number of voters}; keyed by the
        # (numerator, denominator) pair because hashing a Fraction is slow
        key0 = _fkey(share)
        values = {key0: share}
        held = {p: {key0: self.approvals[p]} for p in self.candidates}
        # rho (max payment / cost) only grows as budgets shrink: a lower bound lets us skip work
        lower = {p: Fraction(1, self.approvals[p]) for p in self.candidates}
        remaining = set(self.candidates)
        winners: list[str] = []
        while remaining:
            best_rho: Fraction | None = None
            tied: list[str] = []
            for p in sorted(remaining, key=lower.__getitem__):
                if best_rho is not None and lower[p] > best_rho:
                    break
                payment = _max_payment(held[p], values, costs[p])
                if payment is None:
                    remaining.discard(p)  # budgets never grow: unaffordable for good
                    continue
                rho = payment / costs[p]
                lower[p] = rho
                if best_rho is None or rho < best_rho:
                    best_rho, tied = rho, [p]
                elif rho == best_rho:
                    tied.append(p)
            if not tied or best_rho is None:
                break
            pick = min(tied, key=lambda p: (costs[p], -self.approvals[p], tie_key(p)))
            winners.append(pick)
            remaining.discard(pick)
            charged = best_rho * costs[pick]

            def pay(old: Fraction, payment: Fraction = charged) -> Fraction | None:
                if not old:
                    return None
                return old - payment if old > payment else Fraction(0)

            self._charge(pick, budget, values, held, remaining, pay, _fkey, bool)
        return winners

    def run_stable(
        self, share: Fraction, tie_key: Callable[[str], object]
    ) -> tuple[list[str], int | None]:
        """One run at ``share``, and for how many more units of share its outcome stays the same.

        Returns ``(winners, d)``: every run at ``share + t`` for integers ``0 <= t <= d`` funds the
        same projects in the same order (``d`` None: for every larger share). Every amount is
        tracked as an affine function ``a + b*t`` of the extra share ``t``, and every decision the
        run takes (affordable or not, who pays all they have, which project asks least per unit,
        the lower bounds that let it skip projects) is an inequality between such functions: ``d``
        is the last integer ``t`` at which all of them still hold. This lets completion jump over
        shares that cannot change the outcome, exactly as if it had tried them one by one.
        """
        costs, sets = self.costs, self.sets
        zero = Fraction(0)
        limit: list[int | None] = [None]

        def holds(fa: Fraction, fb: Fraction, strict: bool = False) -> None:
            # fa + fb*t >= 0 (or > 0) holds at t = 0; note the last integer t where it still does
            if fb >= 0 or limit[0] == 0:
                return
            x = fa / -fb
            d = math.ceil(x) - 1 if strict else math.floor(x)
            if limit[0] is None or d < limit[0]:
                limit[0] = d

        start = (share, Fraction(1))
        key0 = _akey(start)
        budget = [start] * len(sets)
        values = {key0: start}
        held = {p: {key0: self.approvals[p]} for p in self.candidates}
        lower = {p: (Fraction(1, self.approvals[p]), zero) for p in self.candidates}
        remaining = set(self.candidates)
        winners: list[str] = []
        rank = {p: (costs[p], -self.approvals[p], tie_key(p)) for p in self.candidates}
        while remaining:
            best = None
            evaluated: dict[str, tuple[Fraction, Fraction]] = {}
            for p in sorted(remaining, key=lambda q: lower[q][0]):
                if best is not None and lower[p][0] > evaluated[best][0]:
                    break
                payment = _max_payment_affine(held[p], values, costs[p], holds)
                if payment is None:
                    remaining.discard(p)
                    continue
                rho = (payment[0] / costs[p], payment[1] / costs[p])
                lower[p] = evaluated[p] = rho
                if best is None or (rho[0], rank[p]) < (evaluated[best][0], rank[best]):
                    best = p
            if best is None:
                break
            wa, wb = evaluated[best]
            for q in remaining:
                if q == best:
                    continue
                if q in evaluated:  # q must keep asking more per unit (or tie and lose the draw)
                    qa, qb = evaluated[q]
                    holds(qa - wa, qb - wb, strict=rank[q] < rank[best])
                else:  # skipped because its lower bound was already above the winner's
                    qa, qb = lower[q]
                    holds(qa - wa, qb - wb, strict=True)
            winners.append(best)
            remaining.discard(best)
            pa, pb = wa * costs[best], wb * costs[best]

            def pay_affine(
                old: tuple[Fraction, Fraction], pa: Fraction = pa, pb: Fraction = pb
            ) -> tuple[Fraction, Fraction] | None:
                if not old[0]:
                    return None
                if old[0] > pa:
                    new = (old[0] - pa, old[1] - pb)
                    holds(*new)
                    return new
                holds(pa - old[0], pb - old[1])
                return (zero, zero)

            self._charge(
                best, budget, values, held, remaining, pay_affine, _akey, lambda v: bool(v[0])
            )
        return winners, limit[0]

    def _charge(self, pick, budget, values, held, remaining, pay, key, positive) -> None:
        """Charge the supporters of `pick`: one step shared by both runs.

        `pay(old)` is a supporter group's budget after paying (None: it has nothing left to
        pay); `key` turns a budget into a hashable key of `values`; `positive(b)` says whether
        budget `b` still holds money. Each remaining project's supporters' budgets (`held`) move
        from the old key to the new one.
        """
        counts, sets = self.counts, self.sets
        for g in self.supporters[pick]:
            old = budget[g]
            new = pay(old)
            if new is None:
                continue
            budget[g] = new
            c = counts[g]
            old_key, new_key = key(old), key(new)
            values[new_key] = new
            keep = positive(new)
            for q in sets[g]:
                if q in remaining:
                    h = held[q]
                    left = h[old_key] - c
                    if left:
                        h[old_key] = left
                    else:
                        del h[old_key]
                    if keep:
                        h[new_key] = h.get(new_key, 0) + c

    def total(self, winners: Iterable[str]) -> int:
        return sum(self.costs[p] for p in winners)


def _max_payment(
    held: dict[tuple, int], values: dict[tuple, Fraction], cost: int
) -> Fraction | None:
    """The most any supporter pays when ``cost`` is split as equally as their budgets allow.

    ``held`` maps budget keys to numbers of voters, ``values`` keys to budgets. ``None`` when
    the supporters together hold less than ``cost``.
    """
    pairs = sorted((values[key], k) for key, k in held.items())
    if sum(v * k for v, k in pairs) < cost:
        return None
    paid = Fraction(0)
    left = sum(held.values())
    for value, k in pairs:
        if value * left < cost - paid:  # they cannot pay the equal part: they pay all they have
            paid += value * k
            left -= k
        else:
            break
    return (cost - paid) / left


def _fkey(value: Fraction) -> tuple[int, int]:
    # hashing a Fraction is slow: its (numerator, denominator) pair keys the budgets instead
    return (value.numerator, value.denominator)


def _akey(value: tuple[Fraction, Fraction]) -> tuple[int, int, int, int]:
    a, b = value
    return (a.numerator, a.denominator, b.numerator, b.denominator)


def _max_payment_affine(held, values, cost: int, holds) -> tuple[Fraction, Fraction] | None:
    """:func:`_max_payment` on budgets ``a + b*t``, reporting the conditions its answer rests on."""
    pairs = sorted(((values[key], k) for key, k in held.items()), key=lambda vk: vk[0][0])
    money_a = sum(v[0] * k for v, k in pairs)
    money_b = sum(v[1] * k for v, k in pairs)
    if money_a < cost:
        holds(cost - money_a, -money_b, strict=True)
        return None
    holds(money_a - cost, money_b)
    paid_a = paid_b = Fraction(0)
    left = sum(k for _, k in pairs)
    full = 0
    for (va, vb), k in pairs:
        if va * left < cost - paid_a:
            paid_a += va * k
            paid_b += vb * k
            left -= k
            full += 1
        else:
            break
    pa, pb = (cost - paid_a) / left, -paid_b / left
    for i, ((va, vb), _) in enumerate(pairs):
        if i < full:  # pays all it has: its budget must stay at most the equal part
            holds(pa - va, pb - vb)
        else:
            holds(va - pa, vb - pb)
    return pa, pb


def equal_shares_outcome(
    voters_approvals: list[Iterable[str]], costs: dict[str, int], budget: int, tie_key
) -> tuple[list[str], Fraction | None]:
    """Equal shares with completion: (winners in funding order, the per-voter share used)."""
    election = _Election(voters_approvals, costs)
    if election.n == 0 or not election.candidates:
        return [], None
    everything = set(election.candidates)
    share = Fraction(budget, election.n)
    winners, stable = election.run_stable(share, tie_key)
    # Completion tries share, share + 1, share + 2, ... and keeps the last outcome that fits;
    # run_stable says how many of those steps give the same outcome, so they are skipped. When
    # the outcome changes at nearly every step (large elections), the cheaper plain run is used
    # for a growing number of steps between two attempts to skip.
    plain_steps, backoff = 0, 1
    while set(winners) != everything and stable is not None:
        following = share + stable + 1
        if plain_steps:
            outcome, stable_next = election.run(following, tie_key), cast(int | None, 0)
            plain_steps -= 1
        else:
            outcome, stable_next = election.run_stable(following, tie_key)
            if stable_next == 0:
                plain_steps, backoff = backoff, backoff * 2
            else:
                backoff = 1
        if election.total(outcome) > budget:
            return winners, following - 1
        winners, share, stable = outcome, following, stable_next
    return winners, share


def equal_shares(
    voters_approvals: list[Iterable[str]], costs: dict[str, int], budget: int, tie_key
) -> list[str]:
    """Winners of the Method of Equal Shares with completion, in the order they are funded."""
    return equal_shares_outcome(voters_approvals, costs, budget, tie_key)[0]


def greedy(
    approvals: dict[str, int], costs: dict[str, int], budget: int | None, tie_key
) -> list[str]:
    """Most approvals first (then lower cost, then lot), skipping what does not fit the budget."""
    order = sorted(
        (p for p in approvals if approvals[p] > 0),
        key=lambda p: (-approvals[p], costs[p], tie_key(p)),
    )
    spent, winners = 0, []
    for p in order:
        if budget is None or spent + costs[p] <= budget:
            winners.append(p)
            spent += costs[p]
    return winners


# --- tally ------------------------------------------------------------------------------------


def tally(manifest: dict, ballots_choices: list[dict], root_hex: str) -> dict:
    """The ``result`` of a vote from its manifest, its ballots' choices (seq order) and final root."""
    method, params = manifest["method"], manifest["params"]
    n = len(ballots_choices)
    quorum_met = n > params["quorum"]
    result: dict = {
        "ballots": n,
        "electorate": manifest["electorate"]["size"],
        "quorum_met": quorum_met,
        "root": root_hex,
    }

    def lot(option_id: str) -> str:
        return lot_key(root_hex, option_id)

    if method == "ratification":
        counts = Counter(c["answer"] for c in ballots_choices)
        result.update({a: counts[a] for a in ANSWERS})
        result["adopted"] = quorum_met and 2 * counts["yes"] > n
        return result

    options = manifest["options"]
    ids = [o["id"] for o in options]
    costs = {o["id"]: o["cost"] for o in options}
    if method == "item_by_item":
        per = {i: dict.fromkeys(ANSWERS, 0) for i in ids}
        for choices in ballots_choices:
            for option, answer in choices.items():
                per[option][answer] += 1
        result["options"] = per
        passing = [i for i in ids if per[i]["yes"] > params["threshold"]]
        passing.sort(key=lambda i: (-per[i]["yes"], lot(i)))
        result["winners"] = passing if quorum_met else []
        return result

    approvals = dict.fromkeys(ids, 0)
    for choices in ballots_choices:
        for option in choices["approve"]:
            approvals[option] += 1
    result["options"] = {i: {"approvals": approvals[i]} for i in ids}

    if method == "approval":
        eligible = [i for i in ids if approvals[i] > params["threshold"]]
        eligible.sort(key=lambda i: (-approvals[i], lot(i)))
        cap = params.get("budget")
        winners: list[str] = []
        spent = 0
        for i in eligible:
            if len(winners) == params["seats"]:
                break
            if cap is not None and spent + costs[i] > cap:
                continue
            winners.append(i)
            spent += costs[i]
        result["winners"] = winners if quorum_met else []
        return result

    if method == "equal_shares":
        budget = params["budget"]
        winners, share = ([], None)
        greedy_winners: list[str] = []
        if quorum_met:
            winners, share = equal_shares_outcome(
                [c["approve"] for c in ballots_choices], costs, budget, lot
            )
            greedy_winners = greedy(approvals, costs, budget, lot)
        result["winners"] = winners
        result["cost"] = sum(costs[i] for i in winners)
        result["share"] = None if share is None else str(share)
        result["greedy_winners"] = greedy_winners
        result["greedy_cost"] = sum(costs[i] for i in greedy_winners)
        return result

    raise ValueError(f"unknown method {method!r}")

"""The four vote methods on hand-computed cases (app/votes/methods.py)."""

import hashlib
from fractions import Fraction

from app.votes.methods import equal_shares, equal_shares_outcome, greedy, lot_key, tally
from tests.votes_data.logs import manifest

ROOT_A = "a" * 64
ROOT_B = "b" * 64


def lot_order(root, ids):
    return sorted(ids, key=lambda i: hashlib.sha256((root + i).encode()).hexdigest())


def roots_ordering(x, y):
    """Two roots: under the first the lot puts x before y, under the second y before x."""
    found = {}
    for n in range(200):
        root = hashlib.sha256(str(n).encode()).hexdigest()
        found.setdefault(tuple(lot_order(root, [x, y])), root)
        if len(found) == 2:
            return found[(x, y)], found[(y, x)]
    raise AssertionError("no roots found")


def test_lot_key_is_sha256_of_root_and_option_id():
    assert lot_key(ROOT_A, "p7") == hashlib.sha256((ROOT_A + "p7").encode()).hexdigest()


# --- approval ------------------------------------------------------------------------------


def approval_ballots():
    # approvals: a 3, b 3, c 2, d 1
    return [
        {"approve": ["a", "b"]},
        {"approve": ["a", "c"]},
        {"approve": ["a", "b"]},
        {"approve": ["b", "c"]},
        {"approve": ["d"]},
    ]


def test_approval_top_k_above_threshold_with_a_tie_by_lot():
    m = manifest("approval", ["a", "b", "c", "d"], size=5, seats=2)  # threshold 2, quorum 2
    first, second = roots_ordering("a", "b")
    r = tally(m, approval_ballots(), first)
    assert r == {
        "ballots": 5,
        "electorate": 5,
        "quorum_met": True,
        "root": first,
        "options": {
            "a": {"approvals": 3},
            "b": {"approvals": 3},
            "c": {"approvals": 2},
            "d": {"approvals": 1},
        },
        "winners": ["a", "b"],
    }
    assert tally(m, approval_ballots(), second)["winners"] == ["b", "a"]


def test_approval_tie_for_the_last_seat_is_drawn_by_lot():
    m = manifest("approval", ["a", "b", "c", "d"], size=5, seats=1, max_choices=2)
    first, second = roots_ordering("a", "b")
    assert tally(m, approval_ballots(), first)["winners"] == ["a"]
    assert tally(m, approval_ballots(), second)["winners"] == ["b"]


def test_approval_threshold_is_more_than_half_of_the_whole_electorate():
    # electorate 7: threshold 3, so 3 approvals are not enough even with seats to spare
    m = manifest("approval", ["a", "b", "c", "d"], size=7, seats=3, max_choices=2)
    r = tally(m, approval_ballots(), ROOT_A)
    assert r["quorum_met"] is True  # 5 ballots > 3
    assert r["winners"] == []
    m = manifest(
        "approval", ["a", "b", "c", "d"], size=6, seats=3, max_choices=2
    )  # threshold 3: > 3 needed
    assert tally(m, approval_ballots() + [{"approve": ["a"]}], ROOT_A)["winners"] == ["a"]


def test_approval_quorum_not_met_gives_no_winners():
    m = manifest("approval", ["a", "b", "c", "d"], size=10, seats=2, threshold=1)  # quorum 5
    r = tally(m, approval_ballots(), ROOT_A)
    assert r["quorum_met"] is False and r["winners"] == []
    assert r["options"]["a"] == {"approvals": 3}


def test_approval_within_a_budget_skips_what_does_not_fit():
    m = manifest(
        "approval",
        [("a", 600), ("b", 500), ("c", 300), ("d", 50)],
        size=5,
        seats=3,
        max_choices=2,
        threshold=1,
        budget=1000,
    )
    first, _ = roots_ordering("a", "b")
    # eligible by approvals: a 3, b 3, c 2 (d has 1, not above 1); a fits, b does not, c does
    assert tally(m, approval_ballots(), first)["winners"] == ["a", "c"]


# --- item by item --------------------------------------------------------------------------


def test_item_by_item_counts_and_passes_above_threshold():
    m = manifest("item_by_item", ["x", "y", "z"], size=5)  # threshold 2, quorum 2
    ballots = [
        {"x": "yes", "y": "yes", "z": "no"},
        {"x": "yes", "y": "yes", "z": "abstain"},
        {"x": "yes", "y": "no", "z": "yes"},
        {"x": "no", "y": "yes", "z": "yes"},
    ]
    first, second = roots_ordering("x", "y")
    r = tally(m, ballots, first)
    assert r["options"] == {
        "x": {"yes": 3, "no": 1, "abstain": 0},
        "y": {"yes": 3, "no": 1, "abstain": 0},
        "z": {"yes": 2, "no": 1, "abstain": 1},
    }
    assert r["winners"] == ["x", "y"]
    assert tally(m, ballots, second)["winners"] == ["y", "x"]
    assert tally(manifest("item_by_item", ["x", "y", "z"], size=9), ballots, first)["winners"] == []


# --- ratification --------------------------------------------------------------------------


def ratify(yes, no, abstain, size):
    m = manifest("ratification", ["pact-3-v2"], size=size)
    ballots = (
        [{"answer": "yes"}] * yes + [{"answer": "no"}] * no + [{"answer": "abstain"}] * abstain
    )
    return tally(m, ballots, ROOT_A)


def test_ratification_adopts_with_more_than_half_of_those_who_took_part():
    assert ratify(4, 1, 1, size=10) == {
        "ballots": 6,
        "electorate": 10,
        "quorum_met": True,
        "root": ROOT_A,
        "yes": 4,
        "no": 1,
        "abstain": 1,
        "adopted": True,
    }


def test_ratification_abstentions_count_among_those_who_took_part():
    r = ratify(3, 1, 2, size=10)
    assert r["quorum_met"] is True and r["adopted"] is False  # 3 of 6 is not more than half


def test_ratification_needs_more_than_half_of_the_electorate_to_take_part():
    r = ratify(5, 0, 0, size=10)
    assert r["quorum_met"] is False and r["adopted"] is False
    assert ratify(6, 0, 0, size=11)["adopted"] is True


# --- equal shares and greedy -------------------------------------------------------------------


def tie(p):
    return lot_key(ROOT_A, p)


def test_equal_shares_first_run_then_completion_raises_the_share():
    # budget 100, 4 voters, share 25: A (60) is split 20/20/20; B (40) is beyond v4's 25.
    # Raising the share one unit at a time, at 40 v4 can buy B and the outcome still costs 100.
    voters = [{"A"}, {"A"}, {"A"}, {"B"}]
    winners, share = equal_shares_outcome(voters, {"A": 60, "B": 40}, 100, tie)
    assert winners == ["A", "B"] and share == 40


def test_equal_shares_completion_keeps_the_last_outcome_that_fitted():
    # share 25 funds nothing; at 30 both A (90) and B (30) become affordable but cost 120 > 100,
    # so the result is the outcome at share 29: nothing. Greedy would take A.
    voters = [{"A"}, {"A"}, {"A"}, {"B"}]
    costs = {"A": 90, "B": 30}
    winners, share = equal_shares_outcome(voters, costs, 100, tie)
    assert winners == [] and share == 29
    assert greedy({"A": 3, "B": 1}, costs, 100, tie) == ["A"]


def test_equal_shares_splits_as_equally_as_budgets_allow():
    # 3 voters, budget 90, share 30. Round 1: C (cost 30) by v1,v2,v3 asks 10 each (rho 1/9).
    # Round 2: D (cost 45) by v1,v2 who hold 20 each: 40 < 45, unaffordable; E (cost 20) by v3 alone
    # asks 20 (rho 1). Completion: at share 33, D: v1,v2 hold 23 each = 46 >= 45 (22.5 each),
    # E is still affordable: C + D + E = 95 > 90, so the share 32 outcome (C, E) stands.
    voters = [{"C", "D"}, {"C", "D"}, {"C", "E"}]
    winners, share = equal_shares_outcome(voters, {"C": 30, "D": 45, "E": 20}, 90, tie)
    assert winners == ["C", "E"] and share == 32


def test_equal_shares_ties_go_to_lower_cost_first():
    # two voters with 20 each; A (10) and B (20) each ask their single supporter everything: rho 1
    voters = [{"B"}, {"A"}]
    assert equal_shares(voters, {"A": 10, "B": 20}, 40, tie) == ["A", "B"]


def test_equal_shares_ties_of_equal_cost_go_to_more_approvals():
    # 8 voters, share 10. Round 1: Y (40) by v3,v6,v7,v8 asks 10 each (rho 1/4) and empties v3.
    # Round 2: A (20) by v1,v2,v3 and B (20) by v4,v5 both ask 10 each of those with money (rho 1/2):
    # same cost, A has 3 approvals, B 2: A first.
    voters = [{"A"}, {"A"}, {"A", "Y"}, {"B"}, {"B"}, {"Y"}, {"Y"}, {"Y"}]
    assert equal_shares(voters, {"A": 20, "B": 20, "Y": 40}, 80, tie) == ["Y", "A", "B"]


def test_equal_shares_exact_ties_are_drawn_by_lot():
    voters = [{"p"}, {"q"}]
    first, second = roots_ordering("p", "q")
    costs = {"p": 10, "q": 10}
    assert equal_shares(voters, costs, 20, lambda o: lot_key(first, o)) == ["p", "q"]
    assert equal_shares(voters, costs, 20, lambda o: lot_key(second, o)) == ["q", "p"]


def test_equal_shares_share_is_exact():
    voters = [{"A"}, {"A"}, {"B"}]
    winners, share = equal_shares_outcome(voters, {"A": 50, "B": 40}, 100, tie)
    assert isinstance(share, Fraction)
    # share 100/3: A asks 25 each; B needs 40 from one voter: not until 100/3 + 7 = 121/3
    assert winners == ["A", "B"] and share == Fraction(121, 3)


def test_greedy_takes_most_approved_first_and_skips_what_does_not_fit():
    approvals = {"a": 5, "b": 4, "c": 4, "d": 1, "e": 0}
    costs = {"a": 50, "b": 40, "c": 20, "d": 10, "e": 1}
    # a (50), then among the tied b/c the cheaper c (20), b (40) no longer fits, d (10) does
    assert greedy(approvals, costs, 80, tie) == ["a", "c", "d"]
    assert greedy(approvals, costs, None, tie) == ["a", "c", "b", "d"]


def test_equal_shares_tally_layout():
    m = manifest("equal_shares", [("A", 60), ("B", 40), ("C", 70)], size=10, budget=100)
    ballots = [{"approve": ["A"]}] * 3 + [{"approve": ["B", "C"]}]
    # v4 buys B from share 40 on; the outcome A, B fits until v4 could also buy C at share 110
    r = tally(m, ballots, ROOT_A)
    assert r == {
        "ballots": 4,
        "electorate": 10,
        "quorum_met": True,
        "root": ROOT_A,
        "options": {"A": {"approvals": 3}, "B": {"approvals": 1}, "C": {"approvals": 1}},
        "winners": ["A", "B"],
        "cost": 100,
        "share": "109",
        "greedy_winners": ["A", "B"],
        "greedy_cost": 100,
    }


def test_equal_shares_quorum_not_met_gives_no_winners():
    m = manifest("equal_shares", [("A", 60), ("B", 40)], size=10, budget=100, quorum=5)
    r = tally(m, [{"approve": ["A"]}] * 3, ROOT_A)
    assert r["quorum_met"] is False
    assert (
        r["winners"] == [] and r["greedy_winners"] == [] and r["share"] is None and r["cost"] == 0
    )


def test_equal_shares_with_only_blank_ballots_funds_nothing():
    m = manifest("equal_shares", [("A", 60)], size=10, budget=100)
    r = tally(m, [{"approve": []}] * 2, ROOT_A)
    assert r["winners"] == [] and r["greedy_winners"] == [] and r["share"] is None


# --- equal shares against a plain, voter-by-voter reading of DESIGN.md ---------------------------


def reference_mes(voters, costs, share, key):
    money = [Fraction(share)] * len(voters)
    approvals = {p: sum(p in v for v in voters) for p in costs}
    remaining = {p for p in costs if approvals[p] and costs[p] > 0}
    winners = []
    while True:
        offers = []
        for p in remaining:
            backers = sorted(money[i] for i, v in enumerate(voters) if p in v)
            if sum(backers) < costs[p]:
                continue
            paid, left = Fraction(0), len(backers)
            for m in backers:
                if m < (costs[p] - paid) / left:
                    paid, left = paid + m, left - 1
                else:
                    break
            most = (costs[p] - paid) / left
            offers.append((most / costs[p], costs[p], -approvals[p], key(p), p, most))
        if not offers:
            return winners
        *_, p, most = min(offers)
        winners.append(p)
        remaining.discard(p)
        for i, v in enumerate(voters):
            if p in v:
                money[i] -= min(money[i], most)


def reference_equal_shares(voters, costs, budget, key):
    fundable = {p for p in costs if costs[p] > 0 and any(p in v for v in voters)}
    share = Fraction(budget, len(voters))
    best, best_share = reference_mes(voters, costs, share, key), share
    while set(best) != fundable:
        share += 1
        outcome = reference_mes(voters, costs, share, key)
        if sum(costs[p] for p in outcome) > budget:
            break
        best, best_share = outcome, share
    return best, best_share


def test_equal_shares_with_skipping_matches_one_unit_at_a_time_on_random_elections():
    import random

    rng = random.Random(20231)
    for _ in range(300):
        projects = [f"p{i}" for i in range(rng.randint(1, 5))]
        costs = {p: rng.choice([rng.randint(1, 40), rng.randint(1, 400)]) for p in projects}
        voters = [
            set(rng.sample(projects, rng.randint(0, len(projects))))
            for _ in range(rng.randint(1, 9))
        ]
        budget = rng.randint(5, 300)
        if not any(voters):
            continue
        assert equal_shares_outcome(voters, costs, budget, tie) == reference_equal_shares(
            voters, costs, budget, tie
        ), (voters, costs, budget)


def test_a_small_vote_with_a_large_budget_jumps_over_shares_that_change_nothing():
    # five residents, a budget of a million: one unit at a time this would be 175,000 runs.
    # B (300k) is split by v2, v4 at 150k each, D (100k) and from share 250k C (250k) are bought
    # alone; A (600k) becomes affordable when v1's share plus v4's remainder reach 600k, at
    # share 375,000, and then the outcome costs 1.25M: completion keeps share 374,999.
    voters = [{"A"}, {"B"}, {"C"}, {"A", "B"}, {"D"}]
    costs = {"A": 600_000, "B": 300_000, "C": 250_000, "D": 100_000}
    assert equal_shares_outcome(voters, costs, 1_000_000, tie) == (["B", "D", "C"], 374_999)

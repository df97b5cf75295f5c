"""Consensus figures on hand-computed examples (DESIGN.md, "Consensus view")."""

import pytest

from app.pacts.consensus import GroupCount, bridging_score, clause_consensus


def test_bridging_is_the_geometric_mean_of_smoothed_building_support():
    # Building 1: 4 of 4 support -> 5/6; building 2: 2 of 3 support -> 3/5.
    # bridging = sqrt(5/6 * 3/5) = sqrt(1/2) = 0.70711
    groups = {1: GroupCount(support=4), 2: GroupCount(support=2, oppose=1)}
    assert bridging_score(groups.values()) == pytest.approx(0.5**0.5)
    c = clause_consensus(groups, households=6, all_households=20)
    assert (c.support, c.oppose, c.suggest, c.total) == (6, 1, 0, 7)
    assert c.coverage == pytest.approx(0.3)
    # support 6/7 >= 2/3, 7 >= 5 positions, bridging 0.707 >= 0.6
    assert c.is_broad
    assert not c.is_divided


def test_a_divided_clause_has_one_building_below_04_and_another_above_06():
    # Building A: 5 of 5 support -> 6/7 = 0.857; building B: 0 of 4 -> 1/6 = 0.167.
    # bridging = sqrt(6/7 * 1/6) = sqrt(1/7) = 0.378; support 5/9 < 2/3.
    groups = {"A": GroupCount(support=5), "B": GroupCount(oppose=3, suggest=1)}
    c = clause_consensus(groups, households=8, all_households=40)
    assert c.bridging == pytest.approx((1 / 7) ** 0.5)
    assert c.is_divided
    assert not c.is_broad
    assert c.coverage == pytest.approx(0.2)


def test_a_building_with_no_positions_does_not_count_as_a_group():
    # Building 3 has households but nobody took a position: G = 2, not 3.
    groups = {1: GroupCount(support=3), 2: GroupCount(support=2), 3: GroupCount()}
    # (4/5 * 3/4) ^ (1/2) = sqrt(0.6) = 0.7746
    c = clause_consensus(groups, households=5, all_households=30)
    assert c.bridging == pytest.approx(0.6**0.5)
    assert set(c.groups) == {1, 2}
    assert c.is_broad  # 5 positions, all supporting


def test_four_positions_are_too_few_for_broad_consensus():
    c = clause_consensus({1: GroupCount(support=2), 2: GroupCount(support=2)}, 4, 10)
    # bridging = (3/4 * 3/4)^(1/2) = 0.75, support 100%, but only 4 residents.
    assert c.bridging == pytest.approx(0.75)
    assert not c.is_broad


def test_support_below_two_thirds_is_not_broad_even_with_high_bridging():
    # One building, 6 of 10 support: (7/12) = 0.583 < 0.6 anyway; two buildings 7/10 each:
    # (8/12)^... = 0.667 >= 0.6 but support 14/20 = 0.7 >= 2/3 -> broad; 13/20 = 0.65 -> not.
    broad = clause_consensus(
        {1: GroupCount(support=7, oppose=3), 2: GroupCount(support=7, oppose=3)}, 20, 40
    )
    assert broad.bridging == pytest.approx(8 / 12)
    assert broad.is_broad
    narrow = clause_consensus(
        {1: GroupCount(support=7, oppose=3), 2: GroupCount(support=6, oppose=4)}, 20, 40
    )
    assert narrow.bridging == pytest.approx((8 / 12 * 7 / 12) ** 0.5)
    assert not narrow.is_broad


def test_exactly_two_thirds_support_counts_as_broad():
    # 4 of 6 support, one building: bridging = 5/8 = 0.625.
    c = clause_consensus({1: GroupCount(support=4, oppose=2)}, 6, 6)
    assert c.bridging == pytest.approx(0.625)
    assert c.is_broad


def test_no_positions_at_all():
    c = clause_consensus({}, 0, 12)
    assert c.bridging is None
    assert not c.is_broad and not c.is_divided
    assert c.coverage == 0
    assert clause_consensus({}, 0, 0).coverage == 0


def test_exactly_on_the_thresholds():
    # Building 1: 8 of 8 support -> 9/10; building 2: 1 of 3 -> 2/5 = 0.4 exactly.
    # bridging = sqrt(9/10 * 2/5) = sqrt(9/25) = 0.6 exactly -> ">= 0.6" holds;
    # support 9/11 >= 2/3, 11 positions -> broad. 0.4 is not *below* 0.4 -> not divided.
    c = clause_consensus({1: GroupCount(support=8), 2: GroupCount(support=1, oppose=2)}, 11, 20)
    assert c.bridging == pytest.approx(0.6)
    assert c.is_broad
    assert not c.is_divided
    # Three buildings at 3/5 each (5 of 8): bridging exactly 0.6, but support 15/24 < 2/3.
    three = clause_consensus({g: GroupCount(support=5, oppose=3) for g in (1, 2, 3)}, 24, 30)
    assert three.bridging == pytest.approx(0.6)
    assert not three.is_broad
    # A building exactly at 0.6 is not *above* 0.6: 1/6 and 3/5 -> not divided.
    edge = clause_consensus({1: GroupCount(oppose=4), 2: GroupCount(support=2, oppose=1)}, 7, 20)
    assert not edge.is_divided
    # Just past the thresholds on both sides -> divided: 1/6 < 0.4 and 2/3 > 0.6.
    past = clause_consensus({1: GroupCount(oppose=4), 2: GroupCount(support=3, oppose=1)}, 8, 20)
    assert past.is_divided


def test_bridging_exactly_06_where_floating_point_rounds_below():
    # Buildings: 2 of 2 (3/4), 2 of 8 (3/10), 23 of 23 (24/25); product 216/1000 = 0.6^3, so
    # bridging is exactly 0.6 -- computed in floats it comes out as 0.5999999999999999.
    # Support 27/33 >= 2/3 and 33 positions, but 3/10 < 0.4 and 24/25 > 0.6: divided, so not
    # broad (a clause is never both, DESIGN.md); the bridging test itself still holds exactly.
    groups = {
        1: GroupCount(support=2),
        2: GroupCount(support=2, oppose=6),
        3: GroupCount(support=23),
    }
    c = clause_consensus(groups, 33, 60)
    assert c.bridging == pytest.approx(0.6) and c.bridging < 0.6
    assert c.bridges
    assert c.is_divided
    assert not c.is_broad


def test_a_divided_clause_is_never_also_broad():
    # Ten buildings all for it (6/7 each) and one resident of an eleventh against (1/3 < 0.4):
    # bridging (0.857^10 * 0.333)^(1/11) = 0.79 >= 0.6 and support 50/51, but it is divided.
    groups = {i: GroupCount(support=5) for i in range(10)} | {"X": GroupCount(oppose=1)}
    c = clause_consensus(groups, households=51, all_households=60)
    assert c.bridging is not None and c.bridging >= 0.6
    assert c.is_divided
    assert not c.is_broad

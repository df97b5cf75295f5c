"""Consensus figures per clause, exactly as DESIGN.md defines them (pure functions).

Groups are buildings. For each building g with positions on a clause, A_g is its supporters
and S_g all its residents with a position; then

    bridging = (Π_g (A_g + 1) / (S_g + 2)) ^ (1 / G)   over those G buildings.

Divided: one building's (A_g+1)/(S_g+2) is below 0.4 while another's is above 0.6. Broad
consensus: not divided, bridging ≥ 0.6, overall support ≥ 2/3 and at least 5 residents took a
position. A clause is never both: a building left far behind is what a divided clause means,
however well the others agree.
Coverage: households that took a position on the clause / all households of the community.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

# Thresholds as exact fractions: the labels are decided in rational arithmetic, so a clause
# exactly on a threshold (bridging exactly 0.6, a building exactly at 0.4) never flips on a
# floating-point rounding.
BROAD_BRIDGING = Fraction(3, 5)
BROAD_SUPPORT = Fraction(2, 3)
BROAD_MIN_POSITIONS = 5
DIVIDED_LOW = Fraction(2, 5)
DIVIDED_HIGH = Fraction(3, 5)


@dataclass(frozen=True)
class GroupCount:
    """One building's positions on a clause: supporters, opponents, suggestions."""

    support: int = 0
    oppose: int = 0
    suggest: int = 0

    @property
    def total(self) -> int:
        return self.support + self.oppose + self.suggest

    @property
    def agreement(self) -> float:
        """(A_g + 1) / (S_g + 2): the building's smoothed share of support."""
        return (self.support + 1) / (self.total + 2)

    @property
    def exact_agreement(self) -> Fraction:
        return Fraction(self.support + 1, self.total + 2)


@dataclass
class ClauseConsensus:
    support: int = 0
    oppose: int = 0
    suggest: int = 0
    households: int = 0
    all_households: int = 0
    bridging: float | None = None
    groups: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.support + self.oppose + self.suggest

    @property
    def coverage(self) -> float:
        return self.households / self.all_households if self.all_households else 0.0

    @property
    def support_share(self) -> float:
        return self.support / self.total if self.total else 0.0

    @property
    def oppose_share(self) -> float:
        return self.oppose / self.total if self.total else 0.0

    @property
    def suggest_share(self) -> float:
        return self.suggest / self.total if self.total else 0.0

    # Computed once per object: the figures are kept (cached) until a position changes, and
    # the pact page asks each clause for both labels.
    @cached_property
    def bridges(self) -> bool:
        """bridging ≥ 0.6, decided in rationals: Π_g (A_g+1)/(S_g+2) ≥ 0.6^G."""
        live = [g for g in self.groups.values() if g.total]
        if not live:
            return False
        return math.prod(g.exact_agreement for g in live) >= BROAD_BRIDGING ** len(live)

    @cached_property
    def is_broad(self) -> bool:
        if (
            self.is_divided
            or self.total < BROAD_MIN_POSITIONS
            or Fraction(self.support, self.total) < BROAD_SUPPORT
        ):
            return False
        return self.bridges

    @cached_property
    def is_divided(self) -> bool:
        values = [g.exact_agreement for g in self.groups.values() if g.total]
        return any(v < DIVIDED_LOW for v in values) and any(v > DIVIDED_HIGH for v in values)


def bridging_score(groups: Iterable[GroupCount]) -> float | None:
    """The geometric mean of (A_g+1)/(S_g+2) over the buildings with positions; None if none."""
    values = [g.agreement for g in groups if g.total > 0]
    if not values:
        return None
    # Sum of logs rather than a product, so that many buildings cannot underflow.
    return math.exp(sum(math.log(v) for v in values) / len(values))


def clause_consensus(
    groups: Mapping[object, GroupCount], households: int, all_households: int
) -> ClauseConsensus:
    """Every figure for one clause from its per-building counts and its household coverage."""
    live = {k: g for k, g in groups.items() if g.total > 0}
    return ClauseConsensus(
        support=sum(g.support for g in live.values()),
        oppose=sum(g.oppose for g in live.values()),
        suggest=sum(g.suggest for g in live.values()),
        households=households,
        all_households=all_households,
        bridging=bridging_score(live.values()),
        groups=live,
    )

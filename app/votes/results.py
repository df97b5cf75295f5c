"""A vote's result in plain words: rows for a chart and the figures the page states."""

from app.votes.models import Vote


def explain_result(vote: Vote) -> dict:
    """The result as rows for a chart and sentences in plain words."""
    result = vote.result or {}
    manifest = vote.manifest or {}
    rows = []
    winners = [str(w) for w in result.get("winners", [])]
    per_option = result.get("options", {}) or {}
    for option in manifest.get("options", []):
        counts = per_option.get(option["id"], {}) if isinstance(per_option, dict) else {}
        main = counts.get("approvals", counts.get("yes", 0))
        rows.append(
            {
                "id": option["id"],
                "title": option["title"],
                "cost": option["cost"],
                "counts": counts,
                "main": main,
                "won": option["id"] in winners,
                "rank": winners.index(option["id"]) + 1 if option["id"] in winners else None,
            }
        )
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -r["main"]))
    top = max([r["main"] for r in rows] or [0]) or 1
    for r in rows:
        r["share"] = r["main"] / top
    greedy = (
        [str(w) for w in result.get("greedy_winners", [])] if "greedy_winners" in result else None
    )
    return {
        "rows": rows,
        "winners": winners,
        "greedy": greedy,
        #: The titles greedy funding would have chosen, in its order (the page joins them).
        "greedy_titles": [r["title"] for w in greedy or [] for r in rows if r["id"] == w],
        "ballots": result.get("ballots", 0),
        "electorate": result.get("electorate", 0),
        "quorum_met": result.get("quorum_met", True),
        "adopted": result.get("adopted"),
        "yes": result.get("yes"),
        "no": result.get("no"),
        "abstain": result.get("abstain"),
        "winner_cost": sum(r["cost"] for r in rows if r["won"]),
    }

"""Reading pacts: the community's list, a pact, a clause, a thread, comparisons, print pages."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.core.errors import NotFound
from app.core.fragments import fragment
from app.core.time import utcnow
from app.extensions import db, htmx
from app.org.models import Community
from app.pacts import bp, fragments, permissions
from app.pacts import queries as q
from app.pacts.compare import compare_versions
from app.pacts.forms import AmendmentForm, CommentForm
from app.pacts.models import Clause, Comment, Pact, Stance
from app.pacts.routes.common import (
    clause_of,
    comment_of,
    load_pact,
    selected_version,
    viewer_context,
)


@bp.route("/community/<int:community_id>")
def community_index(community_id: int):
    """The community's pacts, newest first; drafts only for its secretary."""
    community = db.get_or_404(Community, community_id)
    can_manage = permissions.can_manage(current_user, community)
    pacts = q.pacts_of_community(community.id, include_drafts=can_manage)
    reports = (
        q.open_reports(community.id) if permissions.can_moderate(current_user, community) else []
    )
    return render_template(
        "pacts/index.html", community=community, pacts=pacts, can_manage=can_manage, reports=reports
    )


@bp.route("/<int:pact_id>")
def show(pact_id: int):
    """The pact: its clauses with their consensus, the summary, and the pact-level discussion."""
    return fragments.for_visitor(pact_id, None, lambda: _show(pact_id))


def _show(pact_id: int):
    pact = load_pact(pact_id, clauses=False, page=True)
    version = selected_version(pact)
    ctx = viewer_context(pact, version)
    page = request.args.get("page", 1, type=int)
    if htmx and request.args.get("part") == "threads":
        return fragments.threads(pact, None, page, ctx)
    if fragments.shared_by_residents(pact, ctx):
        return fragments.for_resident(
            pact, version, ctx, lambda: _render_show(pact, version, ctx, page, filled=False)
        )
    return _render_show(pact, version, ctx, page)


def _render_show(pact, version, ctx: dict, page: int, *, filled: bool = True) -> str:
    """The pact page; `filled=False` leaves the viewer's slots in (`fragments.for_resident`)."""
    threads_html = fragments.threads(pact, None, page, ctx, filled=filled)
    if version is not None:
        clauses_html = fragments.clause_list(pact, version, ctx["mine"], filled=filled)
    else:
        clauses_html = Markup(render_template("pacts/_clauses.html", pact=pact, version=None))  # noqa: S704 - our own template
    return render_template(
        "pacts/pact.html",
        pact=pact,
        version=version,
        clauses_html=clauses_html,
        threads_html=threads_html,
        # Built only when the page shows it (an anonymous reader gets none).
        comment_form=CommentForm() if ctx["can_take_part"] else None,
        ratify_link=url_for("pacts.ratify", pact_id=pact.id),
        now=utcnow(),
        to_answer=q.open_amendments(pact) if ctx["can_manage"] else [],
        unanswered=(
            q.unanswered_threads(pact, set(ctx["secretary_ids"])) if ctx["can_manage"] else []
        ),
        reported=(
            [r for r in q.open_reports(pact.community_id) if r.comment.pact_id == pact.id]
            if ctx["can_moderate"]
            else []
        ),
        **ctx,
    )


def render_clause(
    pact: Pact,
    clause: Clause,
    comment_form=None,
    amendment_form=None,
    decision_form=None,
    decision_for: int | None = None,
    *,
    ctx: dict | None = None,
    filled: bool = True,
) -> str:
    """The clause page (or, for htmx, its threads), with the forms as the user filled them;
    `filled=False` leaves the viewer's slots in (`fragments.for_resident`)."""
    ctx = ctx or viewer_context(pact, clause.version)
    page = request.args.get("page", 1, type=int)
    if htmx and request.args.get("part") == "threads":
        return fragments.threads(pact, clause, page, ctx)
    threads_html = fragments.threads(pact, clause, page, ctx, filled=filled)
    # The version's figures only when the clause's part is rendered: read from the cache on
    # every view, all sixty clauses' figures cost more than the rest of the cached parts.
    consensus_html = fragment(
        "clause-consensus",
        (clause.id, pact.cache_rev),
        lambda: render_template(
            "pacts/_clause_consensus.html",
            clause=clause,
            c=fragments.consensus(clause.version, pact).get(clause.id),
            buildings=q.building_labels(pact.community_id),
        ),
    )
    amendments = q.amendments_of_clause(clause)
    if amendment_form is None:
        amendment_form = AmendmentForm(prefix="am")
        amendment_form.text.data = clause.text  # residents start from the current wording
    latest = pact.latest_version
    return render_template(
        "pacts/clause.html",
        pact=pact,
        clause=clause,
        version=clause.version,
        consensus_html=consensus_html,
        threads_html=threads_html,
        my_position=ctx["mine"].load().positions.get(clause.id),
        amendments=amendments,
        endorsed=ctx["mine"].load().endorsed,
        comment_form=comment_form or CommentForm(),
        amendment_form=amendment_form,
        stances=list(Stance),
        decision_form=decision_form,
        decision_for=decision_for,
        is_current=latest is not None and clause.version_id == latest.id,
        **ctx,
    )


def clause_forms_shown(pact: Pact, clause: Clause) -> bool:
    """Whether the clause page shows the current user its comment and amendment forms (so a
    refusal can be shown beside what they typed; otherwise it gets the error page)."""
    latest = pact.latest_version
    return (
        permissions.can_take_part(current_user, pact)
        and latest is not None
        and clause.version_id == latest.id
    )


@bp.route("/<int:pact_id>/clauses/<int:clause_id>")
def clause(pact_id: int, clause_id: int):
    """One clause: its consensus by building, amendments and discussion."""

    def render() -> object:
        # the one clause shown comes with the pact (and what the reader did on it)
        pact = load_pact(pact_id, clauses=False, page=True, clause_id=clause_id)
        shown = clause_of(pact, clause_id)
        ctx = viewer_context(pact, shown.version)
        if request.args.get("part") == "threads" or not fragments.shared_by_residents(pact, ctx):
            return render_clause(pact, shown, ctx=ctx)
        mine = ctx["mine"].load()
        own = (
            mine.positions.get(shown.id),
            tuple(sorted(mine.endorsed)),
            tuple(sorted(mine.authored)),
        )
        return fragments.for_resident(
            pact,
            shown.version,
            ctx,
            lambda: render_clause(pact, shown, ctx=ctx, filled=False),
            clause=shown,
            own=own,
        )

    return fragments.for_visitor(pact_id, clause_id, render)


@bp.route("/comments/<int:comment_id>/replies")
def replies(comment_id: int):
    """All replies of a thread, page by page (an htmx partial or a full page)."""
    root = comment_of(comment_id)
    if root.root_id is not None:
        root = db.get_or_404(Comment, root.root_id)
    data = q.replies_page(root, request.args.get("page", 1, type=int), current_user)
    ctx = viewer_context(root.pact)
    template = "pacts/_replies.html" if htmx else "pacts/replies.html"
    return render_template(template, pact=root.pact, root=root, r=data, clause=root.clause, **ctx)


@bp.route("/<int:pact_id>/compare")
def compare(pact_id: int):
    """Two versions side by side, clause by clause, with changed words marked."""
    pact = load_pact(pact_id)
    published = pact.published_versions
    if len(published) < 2:
        flash(_("There is only one version so far."), "info")
        return redirect(url_for("pacts.show", pact_id=pact.id))
    old = pact.version(request.args.get("a", published[-2].number, type=int))
    new = pact.version(request.args.get("b", published[-1].number, type=int))
    if old is None or new is None or not old.is_published or not new.is_published:
        raise NotFound()
    if old.number > new.number:
        old, new = new, old
    between = [v for v in published if old.number < v.number <= new.number]
    amendments, counts = q.change_sources(old, between)
    return render_template(
        "pacts/compare.html",
        pact=pact,
        old=old,
        new=new,
        rows=compare_versions(old, new),
        published=published,
        amendments=amendments,
        comment_counts=counts,
        only_changes=request.args.get("only") == "changes",
    )


@bp.route("/<int:pact_id>/versions/<int:number>/print")
def print_version(pact_id: int, number: int):
    """A clean page of one version for the notice board."""
    pact = load_pact(pact_id)
    version = pact.version(number)
    if version is None or not version.is_published:
        raise NotFound()
    return render_template("pacts/print.html", pact=pact, version=version)

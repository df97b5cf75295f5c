"""Public organisation pages, and the admin pages that create and edit the organisation."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import NotAllowed, on_refusal
from app.core.registry import registered
from app.extensions import db
from app.org import bp, queries
from app.org.forms import (
    BodyForm,
    BuildingForm,
    CommunityForm,
    StationForm,
    SubdistrictForm,
    parse_numbers,
)
from app.org.models import Body, Community, Station
from app.org.operations import (
    add_building,
    create_subdistrict,
    save_body,
    save_community,
    save_station,
)
from app.org.permissions import can_manage_org


@bp.route("/communities")
def communities():
    """Every community, grouped by subdistrict."""
    return render_template(
        "org/communities.html", subdistricts=queries.subdistricts(), stations=queries.stations()
    )


@bp.route("/communities/<int:community_id>")
def community(community_id: int):
    """A community's front page: its pact, hearings, suggestions and votes."""
    community = db.get_or_404(Community, community_id)
    # Domains above org add the tools this user has here (accounts: the secretary's pages).
    tools = [item for fn in registered("community_tools") for item in fn(current_user, community)]
    return render_template(
        "org/community.html",
        community=community,
        household_count=queries.household_count(community),
        tools=tools,
    )


@bp.route("/stations/<int:station_id>")
def station(station_id: int):
    """A liaison station's page lives with the hearings (deputies, receptions, suggestions)."""
    station = db.get_or_404(Station, station_id)
    return redirect(url_for("hearings.station", station_id=station.id), 301)


# --- admin ---------------------------------------------------------------


def _check_manager() -> None:
    if not can_manage_org(current_user):
        raise NotAllowed()


@bp.route("/admin/org", methods=["GET", "POST"])
@login_required
def admin_org():
    """The organisation at a glance, with a form to add a subdistrict."""
    _check_manager()
    form = SubdistrictForm()

    def render():
        return render_template(
            "org/admin.html",
            form=form,
            subdistricts=queries.subdistricts(),
            stations=queries.stations(),
            bodies=queries.bodies(),
        )

    if form.validate_on_submit():
        on_refusal(render, form, "name")
        create_subdistrict(form.name.data, actor=current_user)
        flash(_("Saved."), "success")
        return redirect(url_for("org.admin_org"), 303)
    return render(), 400 if form.errors else 200


@bp.route("/admin/communities/new", methods=["GET", "POST"], defaults={"community_id": None})
@bp.route("/admin/communities/<int:community_id>/edit", methods=["GET", "POST"])
@login_required
def edit_community(community_id: int | None):
    """Create or edit a community."""
    _check_manager()
    community = db.get_or_404(Community, community_id) if community_id else None
    form = CommunityForm(queries.subdistricts(), obj=community)
    if community is not None and not form.is_submitted():
        form.subdistrict.data = community.subdistrict_id
        form.kind.data = community.kind.value

    def render():
        return render_template("org/edit.html", form=form, title=_("Community"))

    if form.validate_on_submit():
        on_refusal(render, form, "name")
        community = save_community(
            community,
            subdistrict_id=form.subdistrict.data,
            name=form.name.data,
            kind=form.kind.data,
            address=form.address.data or "",
            actor=current_user,
        )
        flash(_("Saved."), "success")
        return redirect(url_for("org.buildings", community_id=community.id), 303)
    return render(), 400 if form.errors else 200


@bp.route("/admin/communities/<int:community_id>/buildings", methods=["GET", "POST"])
@login_required
def buildings(community_id: int):
    """A community's buildings and households; add a building with its flat numbers."""
    _check_manager()
    community = db.get_or_404(Community, community_id)
    form = BuildingForm()

    def render():
        return render_template("org/buildings.html", community=community, form=form)

    if form.validate_on_submit():
        on_refusal(render, form)
        building = add_building(
            community,
            form.name.data,
            form.unit.data or "",
            parse_numbers(form.households.data or ""),
            actor=current_user,
        )
        flash(
            _(
                "%(building)s now has %(num)d households.",
                building=building.label,
                num=len(building.households),
            ),
            "success",
        )
        return redirect(url_for("org.buildings", community_id=community.id), 303)
    return render(), 400 if form.errors else 200


@bp.route("/admin/stations/new", methods=["GET", "POST"], defaults={"station_id": None})
@bp.route("/admin/stations/<int:station_id>/edit", methods=["GET", "POST"])
@login_required
def edit_station(station_id: int | None):
    """Create or edit a liaison station and the communities it serves."""
    _check_manager()
    station = db.get_or_404(Station, station_id) if station_id else None
    all_communities = queries.communities()
    form = StationForm(queries.subdistricts(), all_communities, obj=station)
    if station is not None and not form.is_submitted():
        form.subdistrict.data = station.subdistrict_id
        form.communities.data = [c.id for c in station.communities]

    def render():
        return render_template("org/edit.html", form=form, title=_("Liaison station"))

    if form.validate_on_submit():
        on_refusal(render, form)
        save_station(
            station,
            subdistrict_id=form.subdistrict.data,
            name=form.name.data,
            address=form.address.data or "",
            communities=[c for c in all_communities if c.id in form.communities.data],
            actor=current_user,
        )
        flash(_("Saved."), "success")
        return redirect(url_for("org.admin_org"), 303)
    return render(), 400 if form.errors else 200


@bp.route("/admin/bodies/new", methods=["GET", "POST"], defaults={"body_id": None})
@bp.route("/admin/bodies/<int:body_id>/edit", methods=["GET", "POST"])
@login_required
def edit_body(body_id: int | None):
    """Create or edit a responsible body."""
    _check_manager()
    body = db.get_or_404(Body, body_id) if body_id else None
    form = BodyForm(queries.subdistricts(), queries.communities(), obj=body)
    if body is not None and not form.is_submitted():
        form.subdistrict.data = body.subdistrict_id
        form.kind.data = body.kind.value
        form.community.data = body.community_id or 0

    def render():
        return render_template("org/edit.html", form=form, title=_("Responsible body"))

    if form.validate_on_submit():
        on_refusal(render, form)
        save_body(
            body,
            subdistrict_id=form.subdistrict.data,
            kind=form.kind.data,
            community_id=form.community.data or None,
            name=form.name.data,
            contact=form.contact.data or "",
            actor=current_user,
        )
        flash(_("Saved."), "success")
        return redirect(url_for("org.admin_org"), 303)
    return render(), 400 if form.errors else 200

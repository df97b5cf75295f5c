"""Public organisation pages, and the admin pages that create and edit the organisation."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.accounts.permissions import can, require_admin, roles_in
from app.extensions import db
from app.org import bp
from app.org.forms import (
    BodyForm,
    BuildingForm,
    CommunityForm,
    StationForm,
    SubdistrictForm,
    parse_numbers,
)
from app.org.models import Body, Building, Community, Household, Station, Subdistrict
from app.org.operations import (
    add_building,
    create_subdistrict,
    save_body,
    save_community,
    save_station,
)


@bp.route("/communities")
def communities():
    """Every community, grouped by subdistrict."""
    subdistricts = db.session.scalars(select(Subdistrict).order_by(Subdistrict.name)).all()
    stations = db.session.scalars(select(Station).order_by(Station.name)).all()
    return render_template("org/communities.html", subdistricts=subdistricts, stations=stations)


@bp.route("/communities/<int:community_id>")
def community(community_id: int):
    """A community's front page: its pact, hearings, suggestions and votes."""
    community = db.get_or_404(Community, community_id)
    household_count = db.session.scalar(
        select(func.count(Household.id)).join(Building).where(Building.community_id == community.id)
    )
    return render_template(
        "org/community.html",
        community=community,
        household_count=household_count,
        roles=roles_in(current_user, community),
        can=can,
    )


@bp.route("/stations/<int:station_id>")
def station(station_id: int):
    """A liaison station's page lives with the hearings (deputies, receptions, suggestions)."""
    station = db.get_or_404(Station, station_id)
    return redirect(url_for("hearings.station", station_id=station.id), 301)


# --- admin ---------------------------------------------------------------


def _all(model, order):
    return db.session.scalars(select(model).order_by(order)).all()


@bp.route("/admin/org", methods=["GET", "POST"])
@login_required
def admin_org():
    """The organisation at a glance, with a form to add a subdistrict."""
    require_admin()
    form = SubdistrictForm()
    if form.validate_on_submit():
        if db.session.scalar(select(Subdistrict).where(Subdistrict.name == form.name.data.strip())):
            form.name.errors.append(_("A subdistrict with this name exists already."))
        else:
            create_subdistrict(form.name.data, actor=current_user)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("org.admin_org"), 303)
    return render_template(
        "org/admin.html",
        form=form,
        subdistricts=_all(Subdistrict, Subdistrict.name),
        stations=_all(Station, Station.name),
        bodies=_all(Body, Body.name),
    ), 400 if form.errors else 200


@bp.route("/admin/communities/new", methods=["GET", "POST"], defaults={"community_id": None})
@bp.route("/admin/communities/<int:community_id>/edit", methods=["GET", "POST"])
@login_required
def edit_community(community_id: int | None):
    """Create or edit a community."""
    require_admin()
    community = db.get_or_404(Community, community_id) if community_id else None
    form = CommunityForm(_all(Subdistrict, Subdistrict.name), obj=community)
    if community is not None and not form.is_submitted():
        form.subdistrict.data = community.subdistrict_id
        form.kind.data = community.kind.value
    if form.validate_on_submit():
        duplicate = db.session.scalar(
            select(Community).where(
                Community.subdistrict_id == form.subdistrict.data,
                Community.name == form.name.data.strip(),
            )
        )
        if duplicate is not None and duplicate is not community:
            form.name.errors.append(_("This subdistrict has a community with this name already."))
        else:
            community = save_community(
                community,
                subdistrict_id=form.subdistrict.data,
                name=form.name.data,
                kind=form.kind.data,
                address=form.address.data or "",
                actor=current_user,
            )
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("org.buildings", community_id=community.id), 303)
    return render_template(
        "org/edit.html", form=form, title=_("Community")
    ), 400 if form.errors else 200


@bp.route("/admin/communities/<int:community_id>/buildings", methods=["GET", "POST"])
@login_required
def buildings(community_id: int):
    """A community's buildings and households; add a building with its flat numbers."""
    require_admin()
    community = db.get_or_404(Community, community_id)
    form = BuildingForm()
    if form.validate_on_submit():
        building = add_building(
            community,
            form.name.data,
            form.unit.data or "",
            parse_numbers(form.households.data or ""),
            actor=current_user,
        )
        db.session.commit()
        flash(
            _(
                "%(building)s now has %(num)d households.",
                building=building.label,
                num=len(building.households),
            ),
            "success",
        )
        return redirect(url_for("org.buildings", community_id=community.id), 303)
    return render_template(
        "org/buildings.html", community=community, form=form
    ), 400 if form.errors else 200


@bp.route("/admin/stations/new", methods=["GET", "POST"], defaults={"station_id": None})
@bp.route("/admin/stations/<int:station_id>/edit", methods=["GET", "POST"])
@login_required
def edit_station(station_id: int | None):
    """Create or edit a liaison station and the communities it serves."""
    require_admin()
    station = db.get_or_404(Station, station_id) if station_id else None
    all_communities = _all(Community, Community.name)
    form = StationForm(_all(Subdistrict, Subdistrict.name), all_communities, obj=station)
    if station is not None and not form.is_submitted():
        form.subdistrict.data = station.subdistrict_id
        form.communities.data = [c.id for c in station.communities]
    if form.validate_on_submit():
        station = save_station(
            station,
            subdistrict_id=form.subdistrict.data,
            name=form.name.data,
            address=form.address.data or "",
            communities=[c for c in all_communities if c.id in form.communities.data],
            actor=current_user,
        )
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("org.admin_org"), 303)
    return render_template(
        "org/edit.html", form=form, title=_("Liaison station")
    ), 400 if form.errors else 200


@bp.route("/admin/bodies/new", methods=["GET", "POST"], defaults={"body_id": None})
@bp.route("/admin/bodies/<int:body_id>/edit", methods=["GET", "POST"])
@login_required
def edit_body(body_id: int | None):
    """Create or edit a responsible body."""
    require_admin()
    body = db.get_or_404(Body, body_id) if body_id else None
    form = BodyForm(_all(Subdistrict, Subdistrict.name), _all(Community, Community.name), obj=body)
    if body is not None and not form.is_submitted():
        form.subdistrict.data = body.subdistrict_id
        form.kind.data = body.kind.value
        form.community.data = body.community_id or 0
    if form.validate_on_submit():
        save_body(
            body,
            subdistrict_id=form.subdistrict.data,
            kind=form.kind.data,
            community_id=form.community.data or None,
            name=form.name.data,
            contact=form.contact.data or "",
            actor=current_user,
        )
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("org.admin_org"), 303)
    return render_template(
        "org/edit.html", form=form, title=_("Responsible body")
    ), 400 if form.errors else 200

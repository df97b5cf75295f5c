"""The ledger page and its downloads, the filtered lists its numbers link to, the roll-up,
open data and the secretary's complete export."""

from collections.abc import Callable
from typing import Any

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.time import local_today
from app.extensions import db
from app.org.models import Community, Subdistrict
from app.reports import bp, permissions
from app.reports import operations as ops
from app.reports.formats import (
    Sheet,
    sheets_of,
    spooled,
    write_csv_zip,
    write_json,
    write_xlsx,
)
from app.reports.forms import PeriodForm
from app.reports.ledger import Ledger
from app.reports.opendata import DICTIONARY_COLUMNS, ballot_logs, dictionary_rows, open_sheets

CHUNK = 64 * 1024
#: Rows per page of a list the ledger's numbers link to.
PER_PAGE = 100
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "json": "application/json",
}


def _period_form() -> PeriodForm:
    return PeriodForm(request.args)


def _send(write: Callable, name: str, ext: str):
    """Write the file to disk, then stream it in chunks; the temporary file goes when it is sent."""
    out = spooled()
    try:
        write(out)
        size = out.tell()
        out.seek(0)
    except BaseException:
        out.close()
        raise

    def chunks():
        with out:
            while chunk := out.read(CHUNK):
                yield chunk

    response = Response(chunks(), mimetype=MIMETYPES[ext])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "no-store"
    return response


def _head(ledger: Ledger) -> dict:
    return {
        "community": ledger.community.name,
        "start": ledger.period.start,
        "end": ledger.period.end,
        "generated_at": ledger.generated_at,
    }


def _readme(ledger: Ledger) -> list[tuple[str, str]]:
    return [
        (_("Community"), ledger.community.name),
        (_("Period"), f"{ledger.period.start.isoformat()} – {ledger.period.end.isoformat()}"),
        (_("Generated"), ledger.generated_at.strftime("%Y-%m-%d %H:%M")),
    ]


@bp.route("/community/<int:community_id>/ledger")
@login_required
def ledger(community_id: int):
    """The community's ledger for a period, on one printable page."""
    community = db.get_or_404(Community, community_id)
    if not permissions.can_view_ledger(current_user, community):
        abort(403)
    form = _period_form()
    if not form.validate():
        return render_template(
            "reports/ledger.html", community=community, form=form, ledger=None
        ), 400
    result = ops.generate_ledger(community, form.period(), actor=current_user)
    return render_template(
        "reports/ledger.html",
        community=community,
        form=form,
        ledger=result,
        can_export_all=permissions.can_export_all(current_user, community),
    )


@bp.route("/community/<int:community_id>/ledger.<fmt>")
@login_required
def ledger_download(community_id: int, fmt: str):
    """The same ledger as an XLSX workbook, a ZIP of CSV files, or JSON."""
    if fmt not in ("xlsx", "zip", "json"):
        abort(404)
    community = db.get_or_404(Community, community_id)
    if not permissions.can_view_ledger(current_user, community):
        abort(403)
    form = _period_form()
    if not form.validate():
        return render_template(
            "reports/ledger.html", community=community, form=form, ledger=None
        ), 400
    result = ops.generate_ledger(community, form.period(), actor=current_user, fmt=fmt)
    name = f"ledger-{community.id}-{result.period.slug}.{fmt}"
    if fmt == "xlsx":
        return _send(
            lambda out: write_xlsx(sheets_of(result.tables), out, readme=_readme(result)),
            name,
            "xlsx",
        )
    if fmt == "zip":
        return _send(lambda out: write_csv_zip(sheets_of(result.tables), out), name, "zip")
    return _send(lambda out: write_json(sheets_of(result.tables), out, _head(result)), name, "json")


@bp.route("/community/<int:community_id>/ledger/<table>")
@login_required
def items(community_id: int, table: str):
    """The rows a number of the ledger counts: one of its tables, filtered as the link says."""
    community = db.get_or_404(Community, community_id)
    if not permissions.can_view_ledger(current_user, community):
        abort(403)
    form = _period_form()
    if not form.validate():
        abort(400)
    result = ops.generate_ledger(community, form.period(), actor=current_user, fmt=table)
    try:
        shown = result.table(table)
    except StopIteration:
        abort(404)
    filters = {
        k: v for k, v in request.args.items() if k not in ("kind", "start", "end", "year", "page")
    }
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    first = (page - 1) * PER_PAGE
    rows, matched = [], 0
    for row in shown.all_rows():
        if all(str(row.get(f"_{k}", "")) == v for k, v in filters.items()):
            if first <= matched < first + PER_PAGE:
                rows.append(row)
            matched += 1

    def page_url(number: int) -> str:
        args: dict[str, Any] = {**request.args.to_dict(), "page": str(number)}
        return url_for("reports.items", community_id=community.id, table=table, **args)

    return render_template(
        "reports/items.html",
        community=community,
        ledger=result,
        table=shown,
        rows=rows,
        matched=matched,
        page=page,
        pages=max((matched + PER_PAGE - 1) // PER_PAGE, 1),
        page_url=page_url,
    )


@bp.route("/subdistrict/<int:subdistrict_id>/rollup")
@bp.route("/subdistrict/<int:subdistrict_id>/rollup.<fmt>")
@login_required
def rollup(subdistrict_id: int, fmt: str = "html"):
    """Every community of the subdistrict side by side for a period; downloadable as XLSX."""
    subdistrict = db.get_or_404(Subdistrict, subdistrict_id)
    if fmt not in ("html", "xlsx"):
        abort(404)
    if not permissions.can_view_rollup(current_user):
        abort(403)
    form = _period_form()
    if not form.validate():
        return render_template(
            "reports/rollup.html", subdistrict=subdistrict, form=form, rollup=None
        ), 400
    result = ops.generate_rollup(subdistrict, form.period(), actor=current_user, fmt=fmt)
    if fmt == "xlsx":
        name = f"rollup-{subdistrict.id}-{result.period.slug}.xlsx"
        return _send(lambda out: write_xlsx(sheets_of([result.table]), out), name, "xlsx")
    return render_template("reports/rollup.html", subdistrict=subdistrict, form=form, rollup=result)


@bp.route("/community/<int:community_id>/open-data")
def open_data(community_id: int):
    """Anyone downloads the community's public record: CSV and JSON with a data dictionary."""
    community = db.get_or_404(Community, community_id)

    def write(out) -> None:
        dictionary = Sheet("data_dictionary", "", DICTIONARY_COLUMNS, dictionary_rows())
        write_csv_zip(
            [*open_sheets(community), dictionary],
            out,
            json_sheets=open_sheets(community),
            json_head={"community": community.name},
            extra=ballot_logs(community),
        )

    name = f"open-data-{community.id}-{local_today().isoformat()}.zip"
    return _send(write, name, "zip")


@bp.route("/community/<int:community_id>/export")
@login_required
def export_all(community_id: int):
    """The secretary downloads all of the community's data, personal data included."""
    community = db.get_or_404(Community, community_id)
    if not permissions.can_export_all(current_user, community):
        abort(403)
    sheets = ops.export_community(community, actor=current_user)
    name = f"community-{community.id}-export-{local_today().isoformat()}.zip"
    return _send(lambda out: write_csv_zip(sheets, out), name, "zip")

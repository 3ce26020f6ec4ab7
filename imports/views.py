from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.visibility import get_visible_or_404
from core.views import paginate, query_without_page
from imports import services, tasks, workbooks
from imports.forms import UploadForm
from imports.models import ImportRow, ImportRun, Kind
from imports.resources import RESOURCES


def import_list(request):
    runs = ImportRun.objects.visible_to(request.user).select_related("created_by")
    form = UploadForm(initial={"kind": request.GET.get("kind", Kind.CUSTOMERS)})
    return render(request, "imports/import_list.html", {"page": paginate(request, runs), "form": form})


def import_create(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.import_upload(
                kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], by=request.user
            )
        except services.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect(run)
    runs = ImportRun.objects.visible_to(request.user).select_related("created_by")
    return render(request, "imports/import_list.html", {"page": paginate(request, runs), "form": form}, status=200)


def _run(request, pk: int) -> ImportRun:
    return get_visible_or_404(ImportRun.objects.select_related("created_by"), request.user, pk=pk)


def _acting(request, pk: int) -> ImportRun:
    """Only the person who brought the file drives its import (a manager reads it)."""
    run = _run(request, pk)
    if run.created_by_id != request.user.pk:
        raise Http404
    return run


def import_detail(request, pk: int):
    run = _run(request, pk)
    resource = RESOURCES[run.kind]
    context = {"run": run, "mine": run.created_by_id == request.user.pk, "progress": services.progress(run)}
    if run.status == ImportRun.Status.UPLOADED:
        context["columns"] = _mapping_rows(run, resource, run.mapping)
        context["fields"] = resource.columns
    elif run.status in (ImportRun.Status.CHECKED, ImportRun.Status.DONE, ImportRun.Status.UNDONE):
        outcome = request.GET.get("outcome", "")
        rows = ImportRow.objects.filter(run=run).order_by("line")
        if outcome in ImportRow.Outcome.values:
            rows = rows.filter(outcome=outcome)
        context.update(
            page=paginate(request, rows),
            outcome=outcome,
            outcome_query=query_without_page(request),
            outcomes=ImportRow.Outcome.choices,
            undo_blockers=services.undo_blockers(run)[:3] if run.status == ImportRun.Status.DONE else [],
        )
    return render(request, "imports/import_detail.html", context)


def _mapping_rows(run, resource, mapping):
    samples = services.sample_rows(run)
    return [
        {
            "index": i,
            "header": header,
            "field": mapping[i] if i < len(mapping) else "",
            "samples": [row[i] for row in samples if i < len(row) and row[i] is not None][:3],
        }
        for i, header in enumerate(run.headers)
    ]


def import_progress(request, pk: int):
    run = _run(request, pk)
    response = render(request, "imports/includes/progress.html", {"run": run, "progress": services.progress(run)})
    if not run.is_running and request.htmx:
        response["HX-Refresh"] = "true"  # finished: the whole page shows what it found
    return response


@require_POST
def import_map(request, pk: int):
    run = _acting(request, pk)
    resource = RESOURCES[run.kind]
    mapping = [request.POST.get(f"column-{i}", "") for i in range(len(run.headers))]
    try:
        run = services.import_map(run=run, mapping=mapping, by=request.user)
    except services.ImportRefused as error:
        messages.error(request, str(error))
        context = {
            "run": run,
            "mine": True,
            "columns": _mapping_rows(run, resource, mapping),
            "fields": resource.columns,
            "progress": services.progress(run),
        }
        return render(request, "imports/import_detail.html", context, status=400)
    tasks.check.delay_on_commit(run.pk)
    return redirect(run)


@require_POST
def import_confirm(request, pk: int):
    run = _acting(request, pk)
    try:
        run = services.import_confirm(run=run, by=request.user)
    except services.ImportRefused as error:
        messages.error(request, str(error))
        return redirect(run)
    tasks.apply.delay_on_commit(run.pk)
    return redirect(run)


def _step(request, pk: int, service, done: str = ""):
    """One of the run's buttons: the service's step, its refusal shown as a message, back to the run."""
    run = _acting(request, pk)
    try:
        service(run=run, by=request.user)
    except services.ImportRefused as error:
        messages.error(request, str(error))
    else:
        if done:
            messages.success(request, done)
    return redirect(run)


@require_POST
def import_remap(request, pk: int):
    """Back from the check to the columns, to map them otherwise."""
    return _step(request, pk, services.import_remap)


@require_POST
def import_cancel(request, pk: int):
    return _step(request, pk, services.import_cancel, _("已取消,什么都没有写入。"))


@require_POST
def import_undo(request, pk: int):
    return _step(request, pk, services.import_undo, _("导入已撤销。"))


def import_refused(request, pk: int):
    return workbooks.refused_response(_run(request, pk))


def import_template(request, kind: str):
    if kind not in RESOURCES:
        raise Http404
    return workbooks.template_response(kind)

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.permissions import requires
from accounts.visibility import get_visible_or_404
from core.exports import export_requested, list_export
from core.views import next_or, paginate, query_without_page
from customers.models import Customer
from forms_toolkit import checkins, exports, hooks, papers, pdf, selectors, services
from forms_toolkit.forms import CheckinForm, QueueFilterForm
from forms_toolkit.models import StageForm, VisitCheckin, VisitReport
from forms_toolkit.registry import registry
from pipeline.models import Project


def _form_type(code: str):
    form_type = registry.get(code.upper())
    if form_type is None:
        raise Http404
    return form_type


def _get_form(request, form_type, pk, *, edit=False):
    form = get_visible_or_404(
        form_type.model.objects.select_related("project", "customer", "filled_by", "team"), request.user, pk=pk
    )
    if edit and not form.is_editable_by(request.user):
        raise PermissionDenied
    return form


def _templates(form_type, kind: str) -> list[str]:
    """A form's own template where its paper needs one, else the generic one (neapolitan's rule)."""
    return [f"forms_toolkit/{form_type.model._meta.model_name}_{kind}.html", f"forms_toolkit/form_{kind}.html"]


def _formsets(form_type, request, instance):
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    formsets = {}
    for inline in form_type.inlines:
        kwargs = {}
        if instance.pk is None and inline.initial and (data is None or inline.prompts):
            kwargs["initial"] = inline.initial()
        form_kwargs = {
            "user": request.user,
            "limit_to": inline.queryset(instance) if inline.queryset else {},
            "defaults": inline.row_defaults(instance) if inline.row_defaults else {},
            "auto_fields": {inline.numbered} if inline.numbered else set(),
        }
        formset = inline.formset_class(
            data, files, instance=instance, prefix=inline.prefix, form_kwargs=form_kwargs, **kwargs
        )
        if instance.pk is None and inline.initial and data is None:
            formset.extra = len(kwargs["initial"])
        formset.label = inline.label
        formsets[inline.prefix] = formset
    if form_type.bind_formsets:
        form_type.bind_formsets(formsets)
    return formsets


def _all_valid(form, formsets) -> bool:
    results = [form.is_valid()] + [fs.is_valid() for fs in formsets.values()]
    return all(results)


def _edit_context(form_type, form, formsets, **extra):
    # A wrong row table (F10's weights at 90%) gets the banner at the top too, not only its own message.
    formsets_have_errors = any(fs.is_bound and fs.total_error_count() for fs in formsets.values())
    return {
        "form_type": form_type,
        "form": form,
        "formsets": list(formsets.values()),
        "formsets_have_errors": formsets_have_errors,
        **extra,
    }


def form_create(request, code: str):
    form_type = _form_type(code)
    project = customer = None
    if form_type.level == "project":
        project = get_visible_or_404(
            Project.objects.select_related("customer", "stage"), request.user, pk=request.GET.get("project") or 0
        )
        if not project.is_editable_by(request.user):
            raise PermissionDenied
        instance = form_type.model(project=project, customer=project.customer, team_id=project.team_id)
        if hasattr(instance, "visit_stage_id"):
            instance.visit_stage = project.stage
    else:
        customer = get_visible_or_404(Customer.objects.all(), request.user, pk=request.GET.get("customer") or 0)
        if not customer.is_editable_by(request.user):  # a customer's papers, like a project's, need edit rights
            raise PermissionDenied
        instance = form_type.model(customer=customer, team_id=customer.team_id)
    instance.filled_by = request.user
    form = form_type.form_class(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=instance,
        user=request.user,
        initial={"filled_on": _today()},
    )
    formsets = _formsets(form_type, request, instance)
    if request.method == "POST" and _all_valid(form, formsets):
        saved = services.stage_form_create(
            form_type=form_type,
            form=form.instance,
            formsets=formsets,
            by=request.user,
            project=project,
            customer=customer,
        )
        messages.success(
            request, _("%(title)s %(number)s 已保存为草稿。") % {"title": form_type.title, "number": saved.number}
        )
        return redirect(saved)
    return render(
        request,
        select_template(_templates(form_type, "form")).template.name,
        _edit_context(form_type, form, formsets, project=project, customer=customer),
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()


def form_update(request, code: str, pk: int):
    form_type = _form_type(code)
    instance = _get_form(request, form_type, pk, edit=True)
    if not instance.is_editable_status:
        messages.error(request, _("已提交或已批准的表单不能修改;被退回后可以修改。"))
        return redirect(instance)
    form = form_type.form_class(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=instance,
        user=request.user,
    )
    formsets = _formsets(form_type, request, instance)
    conflict = None
    if request.method == "POST" and _all_valid(form, formsets):
        try:
            services.stage_form_update(
                form_type=form_type,
                form=form.instance,
                formsets=formsets,
                by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except services.EditConflict as clash:
            conflict = selectors.conflict_rows(form_type=form_type, mine=form, theirs=clash.current, user=request.user)
            # Saving again now overwrites their version on purpose: the user has seen it.
            data = request.POST.copy()
            data["version"] = clash.current.version
            form = form_type.form_class(
                data, request.FILES, instance=type(instance).objects.get(pk=pk), user=request.user
            )
            form.is_valid()
            formsets = _formsets(form_type, request, instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("表单已保存。"))
            return redirect(instance)
    return render(
        request,
        select_template(_templates(form_type, "form")).template.name,
        _edit_context(
            form_type,
            form,
            formsets,
            project=instance.project,
            customer=instance.customer,
            instance=instance,
            conflict=conflict,
            # their rows too: a change to a table alone is a conflict as much as one to a field
            conflict_tables=selectors.saved_tables(form_type=form_type, form=instance) if conflict is not None else [],
        ),
        status=409 if conflict is not None else 200,
    )


def form_detail(request, code: str, pk: int):
    form_type = _form_type(code)
    instance = _get_form(request, form_type, pk)
    context = selectors.form_display(form_type=form_type, form=instance, user=request.user)
    context["history"] = selectors.form_history(form_type=form_type, form=instance, user=request.user)
    context["panels"] = hooks.form_panels(form=instance, form_type=form_type, request=request)
    return render(request, select_template(_templates(form_type, "detail")).template.name, context)


@require_POST
def form_submit(request, code: str, pk: int):
    form_type = _form_type(code)
    instance = _get_form(request, form_type, pk, edit=True)
    try:
        services.stage_form_submit(form=instance, by=request.user)
        messages.success(request, _("表单已提交,等待审批。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(instance)


@require_POST
def form_decide(request, code: str, pk: int):
    form_type = _form_type(code)
    instance = _get_form(request, form_type, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        services.stage_form_decide(
            form=instance,
            by=request.user,
            approve=approve,
            advice=request.POST.get("advice", ""),
            use_signature=request.POST.get("use_signature") == "1",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(next_or(request, instance.get_absolute_url()))
    messages.success(request, _("已同意。") if approve else _("已退回,并附领导建议。"))
    return redirect(next_or(request, instance.get_absolute_url()))


def form_pdf(request, code: str, pk: int):
    """A stage form printed; or, for F02, F03, F16, F08 and F09, the customer, contact or project it is."""
    if (paper := papers.RECORD_PAPERS.get(code.upper())) is not None:
        record = papers.record_for_paper(paper, request.user, pk)
        content = pdf.render_paper_pdf(paper=paper.paper(record, request.user), user=request.user)
        filename = f"{paper.code}-{pk}"
    else:
        form_type = _form_type(code)
        instance = _get_form(request, form_type, pk)
        content = pdf.render_form_pdf(form_type=form_type, form=instance, user=request.user)
        filename = instance.number
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@requires(permissions.manager)
def approval_queue(request):
    filters = QueueFilterForm(request.GET or None, user=request.user)
    wanted = filters.filters()
    queue = selectors.approval_queue(user=request.user, **wanted)
    page = paginate(request, queue)
    counts = queue.counts()
    return render(
        request,
        "forms_toolkit/queue.html",
        {
            "filters": filters,
            "page": page,
            "items": page.object_list,
            "counts": [(t, counts[t.code], _with_type(request, t.code)) for t in registry.all() if counts.get(t.code)],
            "all_types": _with_type(request, ""),
            "total": sum(counts.values()),
            "code": wanted.get("code", ""),
            "query": query_without_page(request),
            "here": request.get_full_path(),
        },
    )


def _with_type(request, code: str) -> str:
    """The queue's address with the same filters and another form type, from its first page."""
    params = request.GET.copy()
    params.pop("page", None)
    params["type"] = code
    return f"?{params.urlencode()}"


def form_list(request):
    items = selectors.form_list(
        user=request.user,
        code=request.GET.get("type", ""),
        status=request.GET.get("status", ""),
        q=request.GET.get("q", ""),
    )
    if export_requested(request):
        return list_export(request, rows=items.queryset, columns=exports.columns(), name="forms", title=_("表单"))
    page = paginate(request, items)
    labels = dict(StageForm.Status.choices)
    for item in page.object_list:
        item["status_label"] = labels[item["status"]]
        item["title"] = registry.get(item["code"]).title
    return render(
        request,
        "forms_toolkit/form_list.html",
        {
            "page": page,
            "types": registry.all(),
            "type": request.GET.get("type", ""),
            "status": request.GET.get("status", ""),
            "q": request.GET.get("q", ""),
            "query": query_without_page(request),
        },
    )


# 拜访签到 -----------------------------------------------------------------------------------------


@require_POST
def checkin_create(request):
    """A check-in as the browser reported it; answers the status to show and the id the report keeps."""
    form = CheckinForm(request.POST, request.FILES)
    context: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        try:
            context["checkin"] = checkins.visit_checkin_record(
                by=request.user,
                outcome=data["outcome"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                accuracy=data["accuracy"],
                detail=data["detail"],
                photo=data["photo"],
            )
        except ValidationError as refused:
            context["error"] = " ".join(refused.messages)
    else:
        context["error"] = _("签到没有记录:%(why)s 报告照常可以保存。") % {
            "why": " ".join(str(e) for errors in form.errors.values() for e in errors)
        }
    status = 400 if "error" in context else 201
    return render(request, "forms_toolkit/includes/checkin_status.html", context, status=status)


def checkin_photo(request, pk: int):
    """A check-in's photo: for whoever made it, and whoever may read the report it is on."""
    checkin = get_object_or_404(VisitCheckin.objects.select_related("report"), pk=pk)
    report = getattr(checkin, "report", None)
    allowed = checkin.by_id == request.user.pk or (
        report is not None and VisitReport.objects.visible_to(request.user).filter(pk=report.pk).exists()
    )
    if not allowed or not checkin.photo:
        raise Http404
    response = FileResponse(checkin.photo.open("rb"), content_type=checkin.photo_type or "application/octet-stream")
    response["Content-Disposition"] = f'inline; filename="checkin-{checkin.pk}"'
    return response

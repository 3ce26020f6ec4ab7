from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import directory
from accounts.visibility import get_editable_or_404, get_visible_or_404
from contacts.selectors import org_chart
from core.exports import export_requested, list_export
from core.history import history_entries
from core.views import next_or, paginate, query_without_page, render_page_or_partial, versioned_edit
from customers.models import Customer
from pipeline import catalog_cache, exports, selectors, services
from pipeline.buying_center import buying_center_red_flags
from pipeline.filters import BoardFilter, ProjectFilter, TaskFilter
from pipeline.forms import (
    AdvanceForm,
    BuyingCenterFormSet,
    CloseForm,
    CustomerStageForm,
    MemberForm,
    ProcurementStepFormSet,
    ProjectForm,
    ReasonForm,
    StepBackForm,
    TaskForm,
    customer_contacts,
)
from pipeline.gates import current_stage_statuses, evaluate_gate
from pipeline.hooks import project_panels, stage_paperwork
from pipeline.models import (
    Project,
    StageCondition,
    StageDefinition,
    Task,
)


def _projects(user):
    return Project.objects.visible_to(user)


def _project_for_edit(request, pk):
    return get_editable_or_404(
        _projects(request.user).select_related("stage", "customer_stage", "customer").prefetch_related("members"),
        request.user,
        pk=pk,
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# Projects ----------------------------------------------------------------------------------------


def project_list(request):
    projects = _projects(request.user).select_related("customer", "owner", "stage", "customer_stage")
    filterset = ProjectFilter(request.GET, queryset=projects, user=request.user)
    rows = filterset.qs if filterset.is_valid() else projects.none()
    if export_requested(request):
        rows = rows.select_related("team")
        return list_export(request, rows=rows, columns=exports.columns(), name="projects", title=_("销售项目"))
    page = paginate(request, rows)
    context = {"filter": filterset, "page": page, "query": query_without_page(request)}
    return render_page_or_partial(request, "pipeline/project_list.html", context, partial="results")


def project_create(request):
    customers = Customer.objects.visible_to(request.user).order_by("name")
    initial = {}
    if customer_id := request.GET.get("customer"):
        initial["customer"] = get_visible_or_404(customers, request.user, pk=customer_id)
    form = ProjectForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user, customers=customers
    )
    if request.method == "POST" and form.is_valid():
        project = services.project_create(
            project=form.instance, by=request.user, customer_stage=form.cleaned_data["customer_stage"]
        )
        messages.success(request, _("项目 %(number)s 已立项。") % {"number": project.number})
        return redirect(project)
    return render(request, "pipeline/project_form.html", {"form": form})


def project_update(request, pk: int):
    project = _project_for_edit(request, pk)
    customers = Customer.objects.filter(pk=project.customer_id)
    return versioned_edit(
        request,
        ProjectForm,
        project,
        services.project_update,
        _("项目已保存。"),
        user=request.user,
        customers=customers,
    )


def project_detail(request, pk: int):
    """The project's head: both tracks and what the current stage still asks for.

    The sections below (deal control, the customer's people, paperwork and tasks, history)
    load on their own as they come into view (``project_section``), so the page costs a
    fixed handful of queries however long the project's record has grown.
    """
    project = get_visible_or_404(
        _projects(request.user).select_related("customer", "owner", "team", "stage", "customer_stage"),
        request.user,
        pk=pk,
    )
    stages = catalog_cache.stages()
    changes, observations = selectors.track_points(project=project)
    current_statuses = current_stage_statuses(projects=[project])[project.pk] if project.is_open else []
    return render(
        request,
        "pipeline/project_detail.html",
        {
            "project": project,
            "stages": stages,
            "tracks": selectors.project_tracks(
                project=project, changes=changes, observations=observations, stages=stages
            ),
            "current_statuses": current_statuses,
            "sections": PROJECT_SECTIONS,
            "query": request.GET.urlencode(),
            "can_edit": project.is_editable_by(request.user),
            "can_override": services.can_override_gate(project=project, user=request.user),
            "can_advance": project.is_open and not project.stage.is_last,
            "can_step_back": project.is_open and project.stage.number > 1,
        },
    )


PROJECT_SECTIONS = {
    "control": gettext_lazy("成交管控"),
    "people": gettext_lazy("采购关系"),
    "paperwork": gettext_lazy("表单、任务与项目组"),
    "history": gettext_lazy("历史"),
}


def project_section(request, pk: int, section: str):
    """One section of the project page: a fragment for htmx, or a page of its own without it."""
    if section not in PROJECT_SECTIONS:
        raise Http404
    related = {
        "control": ("customer", "owner", "team", "stage"),
        "people": ("customer",),
        "paperwork": ("customer", "stage"),
        "history": ("customer",),
    }[section]
    project = get_visible_or_404(_projects(request.user).select_related(*related), request.user, pk=pk)
    return _section_page(request, project, section)


def _section_page(request, project, section: str, **overrides):
    """A section for htmx, or as a page (``overrides``: a refused form to show as typed)."""
    context = {
        "project": project,
        "section": section,
        "title": PROJECT_SECTIONS[section],
        "can_edit": project.is_editable_by(request.user),
    }
    context.update(_SECTION_CONTEXT[section](request, project))
    context.update(overrides)
    for form in overrides.values():  # the browser scrolls to the first field to mend, on a phone too
        if wrong := next((name for name in form.errors if name in form.fields), None):
            form.fields[wrong].widget.attrs["autofocus"] = True
    return render_page_or_partial(request, "pipeline/project_section.html", context, partial=section)


def _control_section(request, project) -> dict:
    return {"panels": project_panels(project=project, request=request)}


def _people_section(request, project) -> dict:
    members = selectors.buying_center_list(project=project)
    return {
        "buying_center": members,
        "red_flags": buying_center_red_flags(members),
        "procurement_steps": project.procurement_steps.select_related("responsible"),
        "org_chart": org_chart(contacts=list(project.customer.contacts.order_by("name"))),
    }


def _paperwork_section(request, project) -> dict:
    members = list(project.members.select_related("user", "user__team"))
    return {
        "stage_paperwork": _paperwork_by_stage(project=project, user=request.user, stages=catalog_cache.stages()),
        "tasks": project.tasks.select_related("owner").order_by(F("done_at").desc(nulls_first=True), "due_date")[:30],
        "members": members,
        "member_form": MemberForm(),
        "people_stamp": directory.stamp(),
        "task_form": TaskForm(project=project, people=[m.user for m in members]),
    }


def _history_section(request, project) -> dict:
    changes = list(project.stage_changes.select_related("from_stage", "to_stage", "by"))
    observations = list(project.customer_stage_observations.select_related("stage", "by"))
    return {
        "timeline": selectors.project_timeline(changes=changes, observations=observations),
        "history": history_entries(project),
    }


_SECTION_CONTEXT = {
    "control": _control_section,
    "people": _people_section,
    "paperwork": _paperwork_section,
    "history": _history_section,
}


def _paperwork_by_stage(*, project, user, stages):
    paperwork = stage_paperwork(project=project, user=user)
    return [(s, paperwork.get(s.number, [])) for s in stages]


def _gated_page(
    request, project, form, *, template: str, can_override: bool, perform, closed: str, success, preview=None
):
    """A move through a gate (advance, close as won): on a closed gate the page lists what is missing;
    an override needs its reason and the right to give it. ``preview`` is the gate shown on GET."""
    gate = None
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except services.GateClosed as refusal:
            gate = refusal.gate
            form.add_error(None, closed)
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("override_reason" if "override_reason" in form.fields else None, str(denied))
        else:
            messages.success(request, success())
            return redirect(project)
    if gate is None and request.method == "GET" and preview is not None:
        gate = preview()
    context = {"project": project, "form": form, "gate": gate, "can_override": can_override}
    return render(request, template, context)


def project_advance(request, pk: int):
    project = _project_for_edit(request, pk)
    can_override = services.can_override_gate(project=project, user=request.user)
    form = AdvanceForm(request.POST if request.method == "POST" else None, project=project, can_override=can_override)
    to = form.fields["to_stage"].initial
    return _gated_page(
        request,
        project,
        form,
        template="pipeline/project_advance.html",
        can_override=can_override,
        perform=lambda data: services.project_advance_stage(
            project=project, to_stage=data["to_stage"], by=request.user, override_reason=data.get("override_reason")
        ),
        closed=_("阶段条件未满足,不能推进。"),
        success=lambda: (
            _("项目已推进到第 %(n)s 阶段:%(name)s。") % {"n": project.stage.number, "name": project.stage.display_name}
        ),
        preview=(lambda: evaluate_gate(project=project, to_stage=to)) if to else None,
    )


def _action_page(
    request, pk: int, *, form_class, perform, success, title: str, action: str, project_form=False, initial=None
):
    """A small form that calls one service on the project: refused input stays on the page with its errors."""
    project = _project_for_edit(request, pk)
    kwargs = {"project": project} if project_form else {}
    if initial is not None:
        kwargs["initial"] = initial(project)
    form = form_class(request.POST if request.method == "POST" else None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            perform(project, form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, success(project))
            return redirect(project)
    return render(
        request, "pipeline/project_action.html", {"project": project, "form": form, "title": title, "action": action}
    )


def project_step_back(request, pk: int):
    return _action_page(
        request,
        pk,
        form_class=StepBackForm,
        project_form=True,
        title=_("回退阶段"),
        action="pipeline:project-step-back",
        perform=lambda project, data: services.project_step_back(
            project=project, to_stage=data["to_stage"], by=request.user, reason=data["reason"]
        ),
        success=lambda project: _("项目已回退到第 %(n)s 阶段。") % {"n": project.stage.number},
    )


def project_close(request, pk: int):
    project = _project_for_edit(request, pk)
    can_override = services.can_override_gate(project=project, user=request.user)
    form = CloseForm(request.POST if request.method == "POST" else None, can_override=can_override)
    return _gated_page(
        request,
        project,
        form,
        template="pipeline/project_close.html",
        can_override=can_override,
        perform=lambda data: services.project_close(
            project=project,
            outcome=data["outcome"],
            by=request.user,
            lost_reason=data["lost_reason"],
            note=data["note"],
            success_story=data["success_story"],
            override_reason=data.get("override_reason"),
        ),
        closed=_("签约成交的阶段条件未满足,不能以赢单结案。"),
        success=lambda: _("项目已结案:%(status)s。") % {"status": project.get_status_display()},
    )


def project_reopen(request, pk: int):
    return _action_page(
        request,
        pk,
        form_class=ReasonForm,
        title=_("重新打开项目"),
        action="pipeline:project-reopen",
        perform=lambda project, data: services.project_reopen(project=project, by=request.user, reason=data["reason"]),
        success=lambda project: _("项目已重新打开。"),
    )


def project_customer_stage(request, pk: int):
    return _action_page(
        request,
        pk,
        form_class=CustomerStageForm,
        initial=lambda project: {"stage": project.customer_stage},
        title=_("记录客户采购阶段"),
        action="pipeline:project-customer-stage",
        perform=lambda project, data: services.project_observe_customer_stage(
            project=project,
            stage=data["stage"],
            by=request.user,
            observed_on=data["observed_on"],
            note=data["note"],
        ),
        success=lambda project: _("已记录客户采购阶段。"),
    )


@require_POST
def condition_toggle(request, pk: int, condition_pk: int):
    project = _project_for_edit(request, pk)
    condition = get_object_or_404(StageCondition, pk=condition_pk)
    try:
        services.condition_check_set(
            project=project, condition=condition, by=request.user, done=request.POST.get("done") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{project.get_absolute_url()}#conditions")


@require_POST
def member_add(request, pk: int):
    project = _project_for_edit(request, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.project_member_add(
                project=project, user=form.cleaned_data["user"], role=form.cleaned_data["role"], by=request.user
            )
            messages.success(request, _("已加入项目组。"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        return _section_page(request, project, "paperwork", member_form=form)
    return redirect(f"{project.get_absolute_url()}#section-paperwork")


@require_POST
def member_remove(request, pk: int, member_pk: int):
    project = _project_for_edit(request, pk)
    member = get_object_or_404(project.members, pk=member_pk)
    try:
        services.project_member_remove(member=member)
        messages.success(request, _("已移出项目组。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{project.get_absolute_url()}#section-paperwork")


def _map_page(request, pk, *, formset_class, field, template, title):
    project = _project_for_edit(request, pk)
    formset = formset_class(
        request.POST if request.method == "POST" else None,
        instance=project,
        form_kwargs={"user": request.user, **customer_contacts(project=project, field=field)},
    )
    if request.method == "POST" and formset.is_valid():
        formset.save()
        services.project_maps_saved(project=project)
        messages.success(request, _("%(title)s已保存。") % {"title": title})
        return redirect(project)
    return render(request, template, {"project": project, "formset": formset, "title": title})


def buying_center(request, pk: int):
    return _map_page(
        request,
        pk,
        formset_class=BuyingCenterFormSet,
        field="contact",
        template="pipeline/buying_center_form.html",
        title=_("与采购有关人的角色与态度"),
    )


def procurement_map(request, pk: int):
    return _map_page(
        request,
        pk,
        formset_class=ProcurementStepFormSet,
        field="responsible",
        template="pipeline/procurement_map_form.html",
        title=_("客户内部采购流程"),
    )


# Tasks -------------------------------------------------------------------------------------------


@require_POST
def task_create(request, pk: int):
    project = _project_for_edit(request, pk)
    form = TaskForm(request.POST, project=project)
    if form.is_valid():
        data = form.cleaned_data
        services.task_create(
            customer=project.customer,
            project=project,
            title=data["title"],
            kind=data["kind"],
            owner=data["owner"],
            due_date=data["due_date"],
            by=request.user,
        )
        messages.success(request, _("任务已添加。"))
    else:
        # The paperwork section as a page of its own, the task form as typed with its errors.
        return _section_page(request, project, "paperwork", task_form=form)
    return redirect(f"{project.get_absolute_url()}#section-paperwork")


@require_POST
def task_toggle(request, task_pk: int):
    task = get_object_or_404(Task.objects.select_related("project"), pk=task_pk)
    if task.owner_id != request.user.pk:
        if task.project is None or not task.project.is_visible_to(request.user):
            raise Http404
        if not task.project.is_editable_by(request.user):
            raise PermissionDenied
    services.task_set_done(task=task, done=request.POST.get("done") == "1")
    return redirect(next_or(request, "pipeline:my-day"))


def task_list(request):
    tasks = Task.objects.visible_to(request.user).select_related("owner", "project", "customer")
    filterset = TaskFilter(request.GET, queryset=tasks, user=request.user)
    rows = filterset.qs if filterset.is_valid() else tasks.none()
    if export_requested(request):
        return list_export(request, rows=rows, columns=exports.task_columns(), name="tasks", title=_("任务"))
    page = paginate(request, rows)
    context = {"filter": filterset, "page": page, "query": query_without_page(request), "today": timezone.localdate()}
    return render_page_or_partial(request, "pipeline/task_list.html", context, partial="results")


def my_day(request):
    return render(request, "pipeline/my_day.html", {"day": selectors.my_day(user=request.user)})


# Board -------------------------------------------------------------------------------------------


def board(request):
    projects = _projects(request.user)
    filterset = BoardFilter(request.GET, queryset=projects, user=request.user)
    columns = selectors.board_columns(projects=filterset.qs if filterset.is_valid() else projects.none())
    context = {
        "filter": filterset,
        "columns": columns,
        "query": request.GET.urlencode(),
        "people_stamp": directory.stamp(),
    }
    return render_page_or_partial(request, "pipeline/board.html", context, partial="board")


@require_POST
def board_move(request, pk: int):
    """A card dropped on another column: the same transition service, the unmet conditions shown if refused."""
    try:
        project = _project_for_edit(request, pk)
    except PermissionDenied:
        # a teammate's card: still a 403, but its body is the board with the reason (board.js swaps it in)
        project = get_visible_or_404(_projects(request.user), request.user, pk=pk)
        return _board_after_move(request, project, project.why_not_editable(), [], status=403)
    if request.POST.get("next"):
        to_stage = get_object_or_404(StageDefinition, number=project.stage.number + 1)
    else:
        stage_pk = request.POST.get("to_stage", "")
        to_stage = get_object_or_404(StageDefinition, pk=int(stage_pk) if stage_pk.isdigit() else 0)
    refused, unmet = "", []
    try:
        if to_stage.number > project.stage.number:
            services.project_advance_stage(project=project, to_stage=to_stage, by=request.user)
        elif to_stage.number < project.stage.number:
            refused = _("回退阶段需要说明原因,请在项目页操作。")
    except services.GateClosed as closed:
        refused = _("%(project)s 不能推进到“%(stage)s”:阶段条件未满足。") % {
            "project": project.name,
            "stage": to_stage.display_name,
        }
        unmet = closed.gate.unmet
    except ValidationError as error:
        refused = " ".join(error.messages)
    return _board_after_move(request, project, refused, unmet)


def _board_after_move(request, project, refused: str, unmet, status: int = 200) -> HttpResponse:
    projects = _projects(request.user)
    filterset = BoardFilter(request.GET, queryset=projects, user=request.user)
    columns = selectors.board_columns(projects=filterset.qs if filterset.is_valid() else projects.none())
    response = render(
        request,
        "pipeline/board.html#board",
        {
            "filter": filterset,
            "columns": columns,
            "refused": refused,
            "unmet": unmet,
            "refused_project": project,
            "query": request.GET.urlencode(),
        },
        status=status,
    )
    response["Vary"] = "HX-Request"
    return response


# Case library ------------------------------------------------------------------------------------


def case_list(request):
    page = paginate(request, selectors.case_library())
    return render(request, "pipeline/case_list.html", {"page": page, "query": query_without_page(request)})


def case_detail(request, pk: int):
    """A won project as every rep may read it: the path it took, the buying center's shape, the lessons."""
    project = get_object_or_404(selectors.case_library(), pk=pk)
    changes = list(project.stage_changes.select_related("from_stage", "to_stage", "by"))
    observations = list(project.customer_stage_observations.select_related("stage", "by"))
    stages = list(StageDefinition.objects.order_by("number"))
    return render(
        request,
        "pipeline/case_detail.html",
        {
            "project": project,
            "tracks": selectors.project_tracks(
                project=project, changes=changes, observations=observations, stages=stages
            ),
            "timeline": selectors.project_timeline(changes=changes, observations=observations),
            "buying_center": selectors.buying_center_list(project=project),
            # Another team's customer's people are third parties to this reader: roles and attitudes, no names.
            "hide_names": not project.is_visible_to(request.user),
        },
    )

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.visibility import get_editable_or_404, get_visible_or_404
from core.exports import export_requested, list_export
from core.history import history_entries
from core.services import can_review
from core.views import paginate, query_without_page, render_page_or_partial, versioned_edit
from customers import exports, services
from customers.filters import CustomerFilter
from customers.forms import CUSTOMER_SECTIONS, CustomerForm, MergeForm
from customers.hooks import customer_panels, customer_paperwork
from customers.models import Customer

OPTIONS_SHOWN = 50


def customer_list(request):
    customers = Customer.objects.visible_to(request.user).select_related("owner", "team")
    filterset = CustomerFilter(request.GET, queryset=customers, user=request.user)
    rows = filterset.qs if filterset.is_valid() else customers.none()
    if export_requested(request):
        rows = rows.select_related("collected_by", "entered_by", "reviewed_by")
        return list_export(request, rows=rows, columns=exports.columns(), name="customers", title=_("客户"))
    page = paginate(request, rows)
    context = {"filter": filterset, "page": page, "query": query_without_page(request)}
    return render_page_or_partial(request, "customers/customer_list.html", context, partial="results")


def customer_options(request):
    """The options of a customer select's search box: the first visible customers that match."""
    customers = Customer.objects.visible_to(request.user).search(request.GET.get("q", ""))
    found = list(customers.order_by("name", "pk").only("pk", "name")[: OPTIONS_SHOWN + 1])
    return render(
        request,
        "customers/options.html",
        {"customers": found[:OPTIONS_SHOWN], "more": len(found) > OPTIONS_SHOWN},
    )


def customer_detail(request, pk: int):
    customer = get_visible_or_404(
        Customer.objects.select_related("owner", "team", "collected_by", "entered_by", "reviewed_by"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "sections": CUSTOMER_SECTIONS[:-1],
            "history": history_entries(customer),
            "can_edit": customer.is_editable_by(request.user),
            "can_review": can_review(record=customer, user=request.user),
            "can_merge": services.may_merge(survivor=customer, user=request.user),
            "paperwork": customer_paperwork(customer=customer, user=request.user),
            "panels": customer_panels(customer=customer, request=request),
        },
    )


def customer_create(request):
    form = CustomerForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        customer = services.customer_create(customer=form.instance, by=request.user)
        messages.success(request, _("客户“%(name)s”已创建。") % {"name": customer.name})
        return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form})


def customer_update(request, pk: int):
    customer = get_editable_or_404(Customer.objects.all(), request.user, pk=pk)
    return versioned_edit(
        request, CustomerForm, customer, services.customer_update, _("客户信息已保存。"), user=request.user
    )


@require_POST
def customer_review(request, pk: int):
    customer = get_visible_or_404(Customer.objects.all(), request.user, pk=pk)
    if not can_review(record=customer, user=request.user):
        raise PermissionDenied
    services.customer_review(customer=customer, by=request.user)
    messages.success(request, _("已审核客户信息。"))
    return redirect(customer)


def customer_merge(request, pk: int):
    """A manager folds a customer entered twice into this one (GET: choose it; POST: merge)."""
    survivor = get_visible_or_404(Customer.objects.select_related("team"), request.user, pk=pk)
    if not services.may_merge(survivor=survivor, user=request.user):
        raise PermissionDenied
    scope = Customer.objects.visible_to(request.user)
    if not request.user.sees_everything:
        scope = scope.filter(team_id=survivor.team_id)
    form = MergeForm(request.POST or None, survivor=survivor, customers=scope)
    if request.method == "POST" and form.is_valid():
        merged = form.cleaned_data["merged"]
        try:
            services.customer_merge(survivor=survivor, merged=merged, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已把“%(merged)s”合并到本客户。") % {"merged": merged.name})
            return redirect(survivor)
    from customers.duplicates import similar_customers

    suggestions = [
        found.customer
        for found in similar_customers(name=survivor.name, code=survivor.code, user=request.user, exclude_pk=pk)
        if found.customer is not None and found.customer.team_id == survivor.team_id
    ]
    return render(
        request, "customers/customer_merge.html", {"customer": survivor, "form": form, "suggestions": suggestions}
    )

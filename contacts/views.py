from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.visibility import get_editable_or_404, get_visible_or_404
from contacts import exports, services
from contacts.filters import ContactFilter
from contacts.forms import CONTACT_SECTIONS, PROFILE_SECTIONS, ContactForm, DecisionMakerProfileForm
from contacts.models import Contact, DecisionMakerProfile
from core.exports import export_requested, list_export
from core.history import history_entries
from core.services import can_review
from core.views import paginate, query_without_page, render_page_or_partial, versioned_edit
from customers.models import Customer


def contact_list(request):
    contacts = Contact.objects.visible_to(request.user).select_related("customer", "owner")
    filterset = ContactFilter(request.GET, queryset=contacts)
    rows = filterset.qs if filterset.is_valid() else contacts.none()
    if export_requested(request):
        rows = rows.select_related("reports_to")
        return list_export(request, rows=rows, columns=exports.columns(), name="contacts", title=_("联系人"))
    page = paginate(request, rows)
    context = {"filter": filterset, "page": page, "query": query_without_page(request)}
    return render_page_or_partial(request, "contacts/contact_list.html", context, partial="results")


def contact_detail(request, pk: int):
    contact = get_visible_or_404(
        Contact.objects.select_related(
            "customer",
            "owner",
            "reports_to",
            "collected_by",
            "entered_by",
            "reviewed_by",
            "decision_maker_profile",
            "decision_maker_profile__filled_by",
        ),
        request.user,
        pk=pk,
    )
    personal_visible = contact.personal_data_visible_to(request.user)
    profile = getattr(contact, "decision_maker_profile", None)
    redacted = frozenset() if personal_visible else frozenset(Contact.PERSONAL_FIELDS)
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "contact": contact,
            "sections": CONTACT_SECTIONS[1:-1],
            "profile_sections": PROFILE_SECTIONS[:-1],
            "profile": profile,
            "personal_visible": personal_visible,
            "direct_reports": contact.direct_reports.order_by("name"),
            "history": history_entries(contact, redacted=redacted),
            "profile_history": history_entries(profile) if profile and personal_visible else [],
            "can_edit": contact.is_editable_by(request.user),
            "can_review": can_review(record=contact, user=request.user),
        },
    )


def _editable_customers(user):
    return Customer.objects.visible_to(user).order_by("name")


def contact_create(request):
    customers = _editable_customers(request.user)
    initial = {}
    if customer_id := request.GET.get("customer"):
        initial["customer"] = get_visible_or_404(customers, request.user, pk=customer_id)
    form = ContactForm(
        request.POST if request.method == "POST" else None, initial=initial, user=request.user, customers=customers
    )
    form.fields["customer"].widget.attrs.update(_reload_bosses_on_change(reverse("contacts:create")))
    if request.method == "POST" and form.is_valid():
        contact = services.contact_create(contact=form.instance, by=request.user)
        messages.success(request, _("联系人“%(name)s”已创建。") % {"name": contact.name})
        return redirect(contact)
    return render(request, "contacts/contact_form.html", {"form": form})


def _reload_bosses_on_change(url: str) -> dict[str, str]:
    """Picking another customer refreshes the 直接上级 choices in place (htmx)."""
    return {
        "hx-get": url,
        "hx-target": "#div_id_reports_to",
        "hx-select": "#div_id_reports_to",
        "hx-swap": "outerHTML",
        "hx-trigger": "change",
    }


def contact_update(request, pk: int):
    contact = get_editable_or_404(Contact.objects.select_related("customer"), request.user, pk=pk)
    customers = _editable_customers(request.user)
    return versioned_edit(
        request,
        ContactForm,
        contact,
        services.contact_update,
        _("联系人信息已保存。"),
        user=request.user,
        customers=customers,
    )


@require_POST
def contact_review(request, pk: int):
    contact = get_visible_or_404(Contact.objects.select_related("customer"), request.user, pk=pk)
    if not can_review(record=contact, user=request.user):
        raise PermissionDenied
    services.contact_review(contact=contact, by=request.user)
    messages.success(request, _("已审核联系人信息。"))
    return redirect(contact)


def decision_maker_profile_edit(request, pk: int):
    """Create or edit the contact's F16 profile; only those who may see its values may write it."""
    contact = get_editable_or_404(Contact.objects.select_related("customer"), request.user, pk=pk)
    profile = DecisionMakerProfile.objects.filter(contact=contact).first() or DecisionMakerProfile(contact=contact)
    saved = _("关键决策人信息已保存。")
    return versioned_edit(
        request,
        DecisionMakerProfileForm,
        profile,
        services.decision_maker_profile_save,
        saved,
        name="profile",
        back=contact,
        page={"contact": contact},
        user=request.user,
    )

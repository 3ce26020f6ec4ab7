"""What the contacts add to the customer page: its contacts, as a list and as the customer's org chart."""

from django.template.loader import render_to_string

from contacts.selectors import org_chart


def customer_contacts(*, customer, request) -> str:
    contacts = list(customer.contacts.select_related("owner").order_by("name"))
    return render_to_string(
        "contacts/includes/customer_contacts.html",
        {"customer": customer, "contacts": contacts, "org_chart": org_chart(contacts=contacts)},
        request=request,
    )

"""The files section on a project's, a customer's and a paper form's page: a placeholder that htmx
fills when it scrolls into view, so the page itself asks nothing more of the database."""

from django.template.loader import render_to_string

from attachments.selectors import section_url


def _placeholder(url: str, request, *, title_signed: bool = False) -> str:
    return render_to_string("attachments/placeholder.html", {"url": url, "signed": title_signed}, request=request)


def project_attachments(*, project, request) -> str:
    return _placeholder(section_url(kind="project", pk=project.pk), request)


def customer_attachments(*, customer, request) -> str:
    return _placeholder(section_url(kind="customer", pk=customer.pk), request)


def form_attachments(*, form, form_type, request) -> str:
    return _placeholder(section_url(kind="form", pk=form.pk, code=form_type.code), request, title_signed=True)

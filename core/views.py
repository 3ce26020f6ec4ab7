from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from core.versioning import EditConflict, conflict_rows, rebound_on

PAGE_SIZE = 25
MAX_PAGE = 10_000


@dataclass
class Page:
    """A page of a list that never counts the whole list: one row more than shown says whether there is a next."""

    object_list: list
    number: int
    per_page: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """The requested page (a bad number means the first), fetched with LIMIT/OFFSET and no COUNT over the list."""
    try:
        number = min(max(int(request.GET.get("page", 1)), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(object_list=rows[:per_page], number=number, per_page=per_page, has_next=len(rows) > per_page)


def render_page_or_partial(request, template: str, context: dict, *, partial: str):
    """The whole page, or only its ``partial`` region when htmx asks for it."""
    name = f"{template}#{partial}" if request.htmx and not request.htmx.boosted else template
    response = render(request, name, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)  # an export link's own
    return params.urlencode()


def next_or(request, default):
    """Where a form asked to go back to (``next``), when that is a page of this site; else ``default``
    (a URL or a URL name for ``redirect``). Never a redirect off-site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # a path of this site ("/forms/queue/"): a bare word would be taken by redirect() for a URL name
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def versioned_edit(request, form_class, record, service, saved: str, *, name="", back=None, page=None, **form_kwargs):
    """The edit page of a versioned record (customers, contacts, projects, F16 profiles): the form on
    GET; on a valid POST ``service(<name>=record, by=…, changed_fields=…, expected_version=…)``, the
    ``saved`` message and back to the record (or ``back``); a newer save in between answers 409 with
    their values beside the user's, the user's form kept and nothing written. ``name`` (default: the
    model's) names the record in the service and the context, and the template is
    ``<app>/<name>_form.html``; ``page`` adds to the template's context."""
    name = name or record._meta.model_name
    template = f"{record._meta.app_label}/{name}_form.html"
    form = form_class(request.POST if request.method == "POST" else None, instance=record, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            service(
                **{name: record},
                by=request.user,
                changed_fields=form.changed_fields,
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as clash:
            context = {
                "form": rebound_on(form_class, request, clash.current, **form_kwargs),
                name: clash.current,
                "conflict": conflict_rows(form, clash.current),
                **(page or {}),
            }
            return render(request, template, context, status=409)
        messages.success(request, saved)
        return redirect(back or record)
    return render(request, template, {"form": form, name: record, **(page or {})})

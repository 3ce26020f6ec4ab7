from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

PAGE_SIZE = 25


def paginate(request, queryset, *, per_page: int = PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def render_page_or_partial(request, template: str, context: dict, *, partial: str):
    """The whole page, or only its ``partial`` region when htmx asks for it."""
    name = f"{template}#{partial}" if request.htmx and not request.htmx.boosted else template
    response = render(request, name, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()

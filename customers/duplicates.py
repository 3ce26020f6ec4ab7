"""Is this customer already here? The same 企业标识/编号, the same name once legal-form suffixes,
brackets and spaces are gone, or a very similar name (trigram similarity: pg_trgm on PostgreSQL,
the same measure computed here on SQLite over the names that share a pair of characters). Another
team's customer is told only as "a similar customer exists, ask its team's manager"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from customers.models import Customer, name_key

if TYPE_CHECKING:
    from accounts.models import User

FALLBACK_CANDIDATES = 400


@dataclass
class SimilarCustomer:
    customer: Customer | None  # None when it is another team's: nothing of it is shown
    why: str
    warning: str


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of one word: two spaces before, one after."""
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+|[一二三四五六七八九十]+(?=[厂分号期])", text)


def _alike(a: str, b: str) -> bool:
    """Names apart only by a number are two companies (一厂 and 二厂, 001 and 002), however alike."""
    return _numbers(a) == _numbers(b)


def _similar_by_name(key: str, pool):
    threshold = settings.CUSTOMER_SIMILARITY
    if len(key) < 2:
        return list(pool.filter(name_key=key)[:5]) if key else []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramDistance

        # the nearest names by the GiST index (KNN), then those near enough
        nearest = (
            pool.annotate(distance=TrigramDistance("name_key", key))
            .order_by("distance")
            .values_list("pk", "name_key", "distance")[:8]
        )
        chosen = [pk for pk, other, distance in nearest if 1 - distance >= threshold and _alike(key, other)][:5]
        rows = pool.in_bulk(chosen) if chosen else {}
        return [rows[pk] for pk in chosen if pk in rows]
    pairs = {key[i : i + 2] for i in range(len(key) - 1)}
    found = Q()
    for pair in sorted(pairs)[:12]:
        found |= Q(name_key__contains=pair)
    # plain tuples: hundreds of model instances per lookup would be most of an import's time
    candidates = pool.filter(found).values_list("pk", "name_key")[:FALLBACK_CANDIDATES]
    scored = [(similarity(key, other), pk, other) for pk, other in candidates]
    ranked = [
        (s, pk) for s, pk, other in sorted(scored, key=lambda x: (-x[0], x[1])) if s >= threshold and _alike(key, other)
    ]
    chosen = [pk for _s, pk in ranked[:5]]
    rows = pool.in_bulk(chosen)
    return [rows[pk] for pk in chosen if pk in rows]


def similar_customers(
    *, name: str, code: str = "", user: User, exclude_pk: int | None = None, limit: int = 5, check_code: bool = True
) -> list[SimilarCustomer]:
    """What a new customer of this name and code might duplicate, as ``user`` may be told it
    (``check_code=False`` where the code was looked up already: an import's lines)."""
    key = name_key(name)
    pool = Customer.objects.select_related("team").only("pk", "name", "code", "name_key", "team_id", "team__name")
    if exclude_pk:
        pool = pool.exclude(pk=exclude_pk)
    found: dict[int, tuple[Customer, str]] = {}
    code = (code or "").strip()
    if code and check_code:
        for customer in pool.filter(code__iexact=code)[:1]:
            found[customer.pk] = (customer, _("企业标识/编号相同"))
    if key:
        # one query: the same name without its legal form is the most similar of all (1.0)
        for customer in _similar_by_name(key, pool):
            same = customer.name_key == key
            found.setdefault(customer.pk, (customer, _("去掉公司类型后名称相同") if same else _("名称非常相似")))
    return [_told(customer, why, user) for customer, why in list(found.values())[:limit]]


def _told(customer: Customer, why: str, user: User) -> SimilarCustomer:
    if customer.is_visible_to(user):
        return SimilarCustomer(
            customer=customer,
            why=why,
            warning=_("可能与已有客户“%(name)s”(%(code)s)重复:%(why)s")
            % {"name": customer.name, "code": customer.code, "why": why},
        )
    from accounts.models import User as Person

    manager = (
        Person.objects.filter(team_id=customer.team_id, role=Person.Role.MANAGER, is_active=True).order_by("pk").first()
    )
    who = manager.display_name if manager else _("销售总监")
    return SimilarCustomer(
        customer=None,
        why=why,
        warning=_("其他团队已有一个相似的客户,请先联系%(who)s确认") % {"who": who},
    )

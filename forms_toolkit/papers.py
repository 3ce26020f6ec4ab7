"""The five paper forms that are records of other apps, printed like the rest.

F02 客户基本信息表 is a customer, F03 联系人基本信息表 a contact (with F16 关键决策人基本信息表 for those
who may read a decision maker's personal data), F08 客户内部采购流程 and F09 (the org chart with the
roles and attitudes of the people in the purchase) a project's maps. Each is laid out here as the
paper is and printed through the same page as the stage forms (``pdf.render_paper_pdf``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.visibility import get_visible_or_404
from contacts.forms import CONTACT_SECTIONS, PROFILE_SECTIONS
from contacts.models import Contact
from contacts.selectors import org_chart
from core.paper import PrintedAs, audit_rows, field_display, model_field, paper_rows, printed_as
from core.typing import Label
from customers.forms import CUSTOMER_SECTIONS
from customers.models import Customer
from forms_toolkit.selectors import Table
from pipeline.models import BuyingCenterMember, Project


@dataclass(frozen=True)
class RecordPaper:
    code: str
    title: Label
    model: type[models.Model]
    paper: Callable  # (record, user) -> the page's context for pdf.render_paper_pdf
    may_print: Callable | None = None  # (record, user) -> bool, beyond reading the record
    queryset: Callable[[], QuerySet[Any]] | None = None  # () -> the records' queryset, with what the paper reads joined


def _without_collected_by(sections):
    """The audit block prints 信息采集人 with the rest of 信息登记."""
    return [(title, [n for n in names if n != "collected_by"]) for title, names in sections if title != _("信息登记")]


def customer_paper(customer: Customer, user) -> dict:
    return {
        "title": _("客户基本信息表"),
        "number": customer.code,
        "meta": [(_("企业标识/编号"), customer.code), (_("负责人"), customer.owner.display_name)],
        "sections": paper_rows(customer, _without_collected_by(CUSTOMER_SECTIONS), tick_lists=True),
        "audit": audit_rows(customer),
    }


def _contact_sections(contact: Contact, user) -> tuple[list, frozenset]:
    redacted = frozenset() if contact.personal_data_visible_to(user) else frozenset(Contact.PERSONAL_FIELDS)
    return paper_rows(contact, _without_collected_by(CONTACT_SECTIONS), redacted=redacted, tick_lists=True), redacted


def _contact_meta(contact: Contact) -> list:
    return [(_("客户编号"), contact.customer.code)]  # 客户 itself is the first field


def contact_paper(contact: Contact, user) -> dict:
    sections, _redacted = _contact_sections(contact, user)
    return {
        "title": _("联系人基本信息表"),
        "number": contact.customer.code,
        "meta": _contact_meta(contact),
        "sections": sections,
        "audit": audit_rows(contact),
    }


def decision_maker_paper(contact: Contact, user) -> dict:
    """F16: all of F03's personal fields and the decision maker's family and background."""
    profile = contact.decision_maker_profile
    sections, _redacted = _contact_sections(contact, user)
    sections += paper_rows(profile, _without_collected_by(PROFILE_SECTIONS), tick_lists=True)
    return {
        "title": _("关键决策人基本信息表"),
        "number": contact.customer.code,
        "meta": _contact_meta(contact),
        "sections": sections,
        "audit": audit_rows(profile) if hasattr(profile, "registered_on") else audit_rows(contact),
    }


def _may_read_decision_maker(contact: Contact, user) -> bool:
    return hasattr(contact, "decision_maker_profile") and contact.personal_data_visible_to(user)


def _project_head(project: Project) -> list:
    return [
        (_("客户名称"), project.customer.name),
        (_("客户编号"), project.customer.code),
        (_("项目名称"), project.name),
        (_("项目编号"), project.number),
    ]


def procurement_map_paper(project: Project, user) -> dict:
    steps = list(project.procurement_steps.select_related("responsible"))
    return {
        "title": _("客户内部采购流程"),
        "number": project.number,
        "header": _project_head(project),
        "tables": [
            Table(
                label=str(_("客户内部采购流程")),
                headers=[str(h) for h in (_("步骤"), _("采购过程"), _("采购负责人"), _("职位"), _("考虑因素"))],
                rows=[
                    [
                        str(s.step),
                        s.process,
                        s.responsible.name if s.responsible else "",
                        s.display_position,
                        s.considerations,
                    ]
                    for s in steps
                ],
            )
        ],
    }


def buying_center_paper(project: Project, user) -> dict:
    """F09: the customer's org chart, then each person in the purchase with role and attitude."""
    contacts = list(project.customer.contacts.order_by("name"))
    nodes: list[tuple[int, str]] = []

    def walk(node, depth: int) -> None:
        contact = node.contact
        nodes.append((depth, f"{contact.name}" + (f"({contact.title})" if contact.title else "")))
        for child in node.children:
            walk(child, depth + 1)

    for root in org_chart(contacts=contacts):
        walk(root, 0)
    members = list(project.buying_center.select_related("contact").order_by("contact__name"))
    fields = ["contact", "level", "department", "role", "attitude", "closeness"]
    return {
        "title": _("客户内部组织结构图 · 与采购有关人的角色与态度"),
        "number": project.number,
        "header": _project_head(project),
        "tree": {"label": _("客户内部组织结构图"), "nodes": nodes},
        "tables": [
            Table(
                label=str(_("与采购有关人的角色与态度")),
                headers=[str(model_field(BuyingCenterMember, n).verbose_name) for n in fields],
                rows=[[field_display(m, n) if n != "contact" else m.contact.name for n in fields] for m in members],
            )
        ],
    }


RECORD_PAPERS = {
    paper.code: paper
    for paper in (
        RecordPaper(
            "F02",
            _("客户基本信息表"),
            Customer,
            customer_paper,
            queryset=lambda: Customer.objects.select_related("owner", "collected_by", "entered_by", "reviewed_by"),
        ),
        RecordPaper(
            "F03",
            _("联系人基本信息表"),
            Contact,
            contact_paper,
            queryset=lambda: Contact.objects.select_related("customer", "collected_by", "entered_by", "reviewed_by"),
        ),
        RecordPaper(
            "F16",
            _("关键决策人基本信息表"),
            Contact,
            decision_maker_paper,
            may_print=_may_read_decision_maker,
            queryset=lambda: Contact.objects.select_related(
                "customer", "collected_by", "entered_by", "reviewed_by", "decision_maker_profile"
            ),
        ),
        RecordPaper(
            "F08",
            _("客户内部采购流程"),
            Project,
            procurement_map_paper,
            queryset=lambda: Project.objects.select_related("customer"),
        ),
        RecordPaper(
            "F09",
            _("客户内部组织结构图"),
            Project,
            buying_center_paper,
            queryset=lambda: Project.objects.select_related("customer"),
        ),
    )
}


def record_for_paper(paper: RecordPaper, user, pk: int):
    """The record a paper prints, if the user may read it (another team's: 404) and print it as this paper."""
    from django.http import Http404

    queryset = paper.queryset() if paper.queryset else paper.model._default_manager.all()
    record = get_visible_or_404(queryset, user, pk=pk)
    if paper.may_print is not None and not paper.may_print(record, user):
        raise Http404
    return record


def _pdf_url(code: str, record: models.Model) -> str:
    return reverse("forms_toolkit:pdf", args=[code, record.pk])


def register_printed() -> None:
    """Offer each record's paper on its page (``core.paper.print_links``); from the app's ready()."""
    for paper in RECORD_PAPERS.values():
        printed_as.register(
            PrintedAs(
                code=paper.code,
                title=paper.title,
                url=functools.partial(_pdf_url, paper.code),
                may_print=paper.may_print,
            ),
            key=(paper.model, paper.code),
        )

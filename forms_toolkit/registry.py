"""Each paper form declared once: its stages, model, sections, table rows, sign-off chain, checks and results.

List, create, edit, detail, PDF and approval views are written once over this
registry; the pipeline's "form X submitted / approved" conditions ask it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.forms import inlineformset_factory, modelform_factory
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, PaperForm, PaperRowFormSet, RowForm
from core.registry import Registry
from core.typing import Label
from customers.forms import offer_customers
from customers.models import Customer


def _is_team_manager(form, user) -> bool:
    return user.sees_everything or user.manages(form.team_id)


def _is_director(form, user) -> bool:
    return user.sees_everything


def _has_project_role(role: str) -> Callable[[Any, Any], bool]:
    def check(form, user) -> bool:
        if user.sees_everything:
            return True
        return form.project_id is not None and form.project.members.filter(user=user, role=role).exists()

    return check


@dataclass(frozen=True)
class ApprovalStep:
    code: str
    label: Label
    may_sign: Callable[[Any, Any], bool]

    def allows(self, form, user, *, signed_by=()) -> bool:
        """Four eyes: whoever may sign this step, unless they filled the form or already signed another
        step of it this round (``signed_by``: who did). A manager's own form goes to a director."""
        return form.filled_by_id != user.pk and user.pk not in signed_by and self.may_sign(form, user)


MANAGER_SIGNOFF = (ApprovalStep("manager", _("领导签字"), _is_team_manager),)


class WeightedFormSet(PaperRowFormSet):
    """Rows whose weights must total 100% (the paper's 合计 100%)."""

    weight_field = "weight"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not rows:
            return
        total = sum((f.cleaned_data.get(self.weight_field) or Decimal("0")) for f in rows)
        if total != Decimal("100"):
            raise forms.ValidationError(
                _("权重合计必须为 100%%,现在是 %(total)s%%。") % {"total": f"{total.normalize():f}"}, code="weights"
            )


@dataclass
class Inline:
    model: type[Any]  # the row model (a historical one: its rows have history)
    fields: list[str]
    label: Label
    min_rows: int = 0
    weighted: str | None = None
    initial: Callable[[], list[dict]] | None = None
    # The initial rows are the paper's printed prompts (F04's, F18's and F19's indicators): one left as
    # offered is no row. Otherwise they are content the user keeps (F18's A竞争对手, B竞争对手).
    prompts: bool = False
    widgets: dict = field(default_factory=dict)
    queryset: Callable[[Any], dict[str, Any]] | None = None  # parent form instance -> {field: queryset}
    form: type = RowForm
    # 序号: numbered for the user (the page fills it in a new row, the save fills it where left empty)
    numbered: str | None = None
    # parent form instance -> {field: value} a new row starts with (F01's 客户名称 and 编号)
    row_defaults: Callable[[Any], dict[str, Any]] | None = None
    # A choice field whose every option is a table of its own on the paper (F21's two teams): the
    # page edits one table, the form prints one per option, titled by it.
    printed_apart_by: str | None = None

    @property
    def prefix(self) -> str:
        return self.model._meta.get_field("form").remote_field.related_name

    @cached_property
    def formset_class(self):
        widgets = {**self.widgets}
        for name in self.fields:
            model_field = self.model._meta.get_field(name)
            if model_field.get_internal_type() == "DateField":
                widgets.setdefault(name, DateInput())
            elif model_field.get_internal_type() == "TextField":
                widgets.setdefault(name, forms.Textarea(attrs={"rows": 2}))
        if self.numbered:
            widgets[self.numbered] = forms.NumberInput(attrs={"data-autonumber": "1", "min": "1"})
        formset = WeightedFormSet if self.weighted else PaperRowFormSet
        cls = inlineformset_factory(
            self.model._meta.get_field("form").related_model,
            self.model,
            form=self.form,
            fields=self.fields,
            widgets=widgets,
            extra=1,
            can_delete=True,
            formset=formset,
            min_num=self.min_rows,
            validate_min=bool(self.min_rows),
        )
        if self.weighted:
            cls.weight_field = self.weighted
        cls.numbered = self.numbered
        return cls


@dataclass
class FormType:
    code: str
    title: Label
    model: type[Any]  # the paper's model, a StageForm
    sections: list[tuple[Label, list[str]]]
    stages: tuple[int, ...] = ()  # empty: any stage (F05)
    # A form of any stage names its stage in this field (F05's 拜访处在哪个阶段): it is listed there.
    stage_field: str | None = None
    level: str = "project"  # or "customer"
    filler_label: Label = _("填写人")
    date_label: Label = _("日期")
    inlines: list[Inline] = field(default_factory=list)
    approval_steps: tuple[ApprovalStep, ...] = MANAGER_SIGNOFF
    sensitive_fields: tuple[str, ...] = ()
    results: Callable[[Any], list[tuple[Label, str]]] | None = None
    form_base: type[PaperForm] = PaperForm
    widgets: dict = field(default_factory=dict)
    bind_formsets: Callable[[dict], None] | None = None  # link row tables to each other before use
    after_save: Callable[[Any, dict], None] | None = None
    # The dated tasks handing the form in asks for (F01's next contacts and promises, F05's commitments).
    tasks: Callable[[Any], list[Any]] | None = None
    # A static script the edit page adds for what only this paper does (F18's competitor columns).
    script: str | None = None
    # Two fields the paper gives one label (F25's 实施开始日期及结束日期): (label, first, second, joiner)
    pairs: tuple[tuple[Label, str, str, Label], ...] = ()
    # What the paper calls the customer's name and number (F07 and F26 say 企业名称, 企业标识/编号)
    customer_labels: tuple[Label, Label] = (_("客户名称"), _("客户编号"))
    # A field whose options the paper names its own way: field -> () -> [(value, label)] (F05's
    # 拜访处在哪个阶段 lists the eight visit labels); the form offers them and the PDF ticks one.
    options: dict[str, Callable[[], list[tuple[Any, str]]]] = field(default_factory=dict)

    def options_now(self) -> dict[str, list[tuple[Any, str]]]:
        return {name: build() for name, build in self.options.items()}

    @property
    def header_fields(self) -> list[str]:
        return ["filled_on", *[name for _title, names in self.sections for name in names], "shareable"]

    @cached_property
    def form_class(self) -> type[forms.ModelForm]:
        widgets = {"filled_on": DateInput(), **self.widgets}
        for name in self.header_fields:
            model_field = self.model._meta.get_field(name)
            kind = model_field.get_internal_type()
            if kind == "DateField":
                widgets.setdefault(name, DateInput())
            elif kind == "DateTimeField":
                widgets.setdefault(name, forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
        form_type = self

        base = self.form_base

        class Form(base):  # type: ignore[valid-type,misc]  # a base chosen per form type
            sections = [(form_type.date_label, ["filled_on"]), *form_type.sections, (_("分享"), ["shareable"])]
            pairs = form_type.pairs
            version = forms.IntegerField(widget=forms.HiddenInput, required=False)

            def __init__(self, *args, user, **kwargs):
                super().__init__(*args, user=user, **kwargs)
                self.fields["filled_on"].label = form_type.date_label
                if not self.is_bound:
                    self.fields["version"].initial = self.instance.version
                for form_field in self.fields.values():
                    # F04 compares with another customer: one the user may see, never another team's.
                    if isinstance(form_field, forms.ModelChoiceField) and form_field.queryset.model is Customer:
                        offer_customers(form_field, Customer.objects.visible_to(user).order_by("name"))
                if not can_see_sensitive(self.instance, user):
                    for name in form_type.sensitive_fields:
                        self.fields.pop(name, None)
                for name, options in form_type.options_now().items():
                    labels = {str(value): label for value, label in options}
                    form_field = self.fields.get(name)
                    if isinstance(form_field, forms.ModelChoiceField):
                        form_field.label_from_instance = lambda obj, labels=labels: labels.get(str(obj.pk), str(obj))
                        form_field.widget.choices = form_field.choices

        return modelform_factory(self.model, form=Form, fields=self.header_fields, widgets=widgets)


def can_see_sensitive(form, user) -> bool:
    """Confidential fields (F21 价格底限, F24 bank and tax): the project owner, their manager, directors."""
    if user.sees_everything or user.manages(form.team_id):
        return True
    if form.project_id is not None:
        return form.project.owner_id == user.pk
    return form.filled_by_id == user.pk


class FormRegistry(Registry[FormType]):
    """The paper forms by code: a form is declared once, with ``registry.register(FormType(...))``."""

    def register(self, form_type=None, *, key=None):
        return super().register(form_type, key=key or (form_type.code if form_type else None))

    def for_model(self, model: type) -> FormType:
        for form_type in self:
            if form_type.model is model:
                return form_type
        raise LookupError(model)

    def all(self) -> list[FormType]:
        return sorted(self, key=lambda t: t.code)

    def for_stage(self, number: int) -> list[FormType]:
        return [t for t in self.all() if t.level == "project" and (not t.stages or number in t.stages)]

    def customer_level(self) -> list[FormType]:
        return [t for t in self.all() if t.level == "customer"]


registry = FormRegistry("forms_toolkit.paper_forms")


def f04_grade(total: Decimal) -> str:
    for grade, threshold in settings.FORMS_F04_GRADE_THRESHOLDS:
        if total >= Decimal(str(threshold)):
            return grade
    return "D"

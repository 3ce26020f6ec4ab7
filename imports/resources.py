"""What each kind of import reads, on django-import-export's resources: the fields a column may
fill (matched by the paper's zh-hans label or the English name), widgets that read what people
type in Excel (the paper's labels for enumerations, dates in any common way, money with commas),
how a line finds the row it updates, and who may write it. Every save goes through the record's
own service, with "imported by X from file Y" in its history."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader

from accounts.models import User
from contacts.forms import CONTACT_SECTIONS
from contacts.models import Contact
from customers.forms import CUSTOMER_SECTIONS
from customers.models import Customer
from imports.reading import normalise_label
from pipeline.models import Project, StageDefinition


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _key(value: Any) -> str:
    return re.sub(r"\s+", "", _text(value)).lower()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)


class ChoiceWidget(widgets.Widget):
    """An enumeration by its stored value, its zh-hans label (重要, 展会, 国有 …) or its English label."""

    def __init__(self, choices, label, allow_blank=True):
        self.choices = list(choices)
        self.label = label
        self.allow_blank = allow_blank  # else a blank cell keeps the value (the default, for a new row)
        self.lookup: dict[str, str] | None = None

    def _lookup(self) -> dict[str, str]:
        if self.lookup is None:
            lookup = {}
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    for value, label in self.choices:
                        lookup[_key(label)] = value
            for value, _label in self.choices:
                lookup[_key(value)] = value
            self.lookup = lookup
        return self.lookup

    def clean(self, value, row=None, **kwargs):
        if _text(value) == "":
            return "" if self.allow_blank else None
        found = self._lookup().get(_key(value))
        if found is None:
            raise ValueError(
                _("“%(value)s”不是可选的%(label)s(可选:%(options)s)")
                % {"value": _text(value), "label": self.label, "options": "、".join(str(c[1]) for c in self.choices)}
            )
        return found


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%m/%d/%Y")


class DateWidget(widgets.Widget):
    """A date cell, or text as people type it: 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日."""

    def __init__(self, label):
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = _text(value)
        if not text:
            return None
        text = text.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} \d", text) else text
        for pattern in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date, no time of day)
            except ValueError:
                continue
        raise ValueError(_("%(label)s“%(value)s”不是日期(请写成 2026-03-01)") % {"label": self.label, "value": text})


class DecimalWidget(widgets.Widget):
    def __init__(self, label):
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if value is None or _text(value) == "":
            return None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return Decimal(str(value))
        text = re.sub(r"[,，\s¥￥$%]", "", _text(value))
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("%(label)s“%(value)s”不是数字") % {"label": self.label, "value": _text(value)}) from None
        if not number.is_finite():
            raise ValueError(_("%(label)s“%(value)s”不是数字") % {"label": self.label, "value": _text(value)})
        return number


class IntegerWidget(DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValueError(_("%(label)s“%(value)s”不是整数") % {"label": self.label, "value": _text(value)})
        return int(number)


@dataclass
class Scope:
    """Who the import writes for: a rep into their own name, a manager into the team, a director anywhere."""

    user: User
    people: dict[str, User] = field(default_factory=dict)  # name or username -> a person in scope
    outside: set[str] = field(default_factory=set)  # names of people who exist, outside it

    @classmethod
    def of(cls, user: User) -> Scope:
        scope = cls(user=user)
        everyone = User.objects.filter(is_active=True).only(
            "pk", "username", "first_name", "last_name", "team_id", "role", "is_superuser"
        )
        for person in everyone:
            if user.sees_everything:
                mine = True
            elif user.is_manager:
                mine = person.team_id is not None and person.team_id == user.team_id
            else:
                mine = person.pk == user.pk
            for name in {_key(person.username), _key(person.display_name)}:
                if mine:
                    scope.people.setdefault(name, person)
                else:
                    scope.outside.add(name)
        return scope


class PersonWidget(widgets.Widget):
    def __init__(self, scope: Scope, label):
        self.scope, self.label = scope, label

    def clean(self, value, row=None, **kwargs):
        name = _key(value)
        if not name:
            return None
        person = self.scope.people.get(name)
        if person is not None:
            return person
        if name in self.scope.outside:
            raise ValueError(
                _("%(label)s“%(value)s”不在你的范围内(代表只能导入到自己名下,经理只能导入到本团队)")
                % {"label": self.label, "value": _text(value)}
            )
        raise ValueError(_("未知的%(label)s“%(value)s”") % {"label": self.label, "value": _text(value)})


class StageWidget(widgets.Widget):
    """A stage by its number (1–8), our stage's name or the customer's stage's name, in either language."""

    def __init__(self, label, customer_side: bool):
        self.label, self.customer_side = label, customer_side
        self.lookup: dict[str, StageDefinition] | None = None

    def clean(self, value, row=None, **kwargs):
        if self.lookup is None:
            self.lookup = {}
            stages = list(StageDefinition.objects.order_by("number"))
            for stage in stages:
                names = [stage.number, f"第{stage.number}阶段"]
                if self.customer_side:  # 项目立项,组建小组: the whole label or either half
                    names += [
                        stage.customer_stage,
                        *re.split(r"[,，、]", stage.customer_stage),
                        stage.customer_stage_en,
                    ]
                for name in names:
                    if _key(name):
                        self.lookup.setdefault(_key(name), stage)
            for stage in stages:  # our stage's names after: the customer's own stage names win
                for name in (stage.name, stage.name_en, str(stage)):
                    if _key(name):
                        self.lookup.setdefault(_key(name), stage)
        if not _key(value):
            return None
        stage = self.lookup.get(_key(value))
        if stage is None:
            raise ValueError(_("未知的%(label)s“%(value)s”") % {"label": self.label, "value": _text(value)})
        return stage


@dataclass(frozen=True)
class Column:
    """A field a column may fill."""

    name: str
    label: Any  # the paper's label (lazy: zh-hans, or English under English)
    aliases: tuple[str, ...] = ()  # other headers a sheet may use: English names, common Chinese ones
    required: bool = False
    choices: Any = None  # for the template's dropdown

    def matches(self) -> set[str]:
        names = {normalise_label(self.name), *(normalise_label(e) for e in self.aliases)}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names.add(normalise_label(str(self.label)))
        return names


def _model_column(model, name, *, required=False, aliases=()):
    f = model._meta.get_field(name)
    return Column(
        name=name,
        label=f.verbose_name,
        aliases=(name.replace("_", " "), *aliases),
        required=required,
        choices=list(f.choices) if f.choices else None,
    )


def _paper_fields(sections, *, skip: set[str]) -> list[str]:
    """A paper form's fields in its order, less the audit block the system fills (信息采集人)."""
    return [name for _title, names in sections for name in names if name not in skip and name != "collected_by"]


class ImportResource(resources.ModelResource):
    """The shared row handling: widgets per column, the scope check, the service save."""

    columns: tuple[Column, ...] = ()
    # Whether a check writes (then rolls back) as the import would: a line may need a row an earlier
    # one made (a contact's boss). Customers need none, and their check writes nothing.
    check_writes = True

    def __init__(self, *, run, scope: Scope):
        super().__init__()
        self.run, self.scope, self.user = run, scope, scope.user
        self.checking = False  # a check: its writes are rolled back, and some are left out
        self.lines: list[int] = []  # the file's line of each row of the chunk at hand
        self.fields = {}
        for column in self.columns:
            widget = self.widget(column)
            # a blank cell (None) keeps what is there: the 负责人, or a field's default for a new row
            self.fields[column.name] = Field(
                attribute=column.name, column_name=column.name, widget=widget, saves_null_values=False
            )
        self.warnings: dict[int, list[str]] = {}

    class Meta:
        skip_diff = True
        skip_unchanged = False  # "unchanged" is judged in skip_row, from the fields a line changed
        report_skipped = True
        use_transactions = False  # the whole import is one transaction, opened by the caller
        clean_model_instances = True
        store_instance = True  # a bulk-created row's id is read back from its instance

    def _check_import_id_fields(self, headers):
        """A file may leave the key column out (new projects have no number yet): every line is new."""

    @classmethod
    def column_lookup(cls) -> dict[str, str]:
        found: dict[str, str] = {}
        for column in cls.columns:
            for name in column.matches():
                found.setdefault(name, column.name)
        return found

    def widget(self, column: Column) -> widgets.Widget:
        model_field = self._meta.model._meta.get_field(column.name)
        label = model_field.verbose_name
        if model_field.choices:
            return ChoiceWidget(model_field.choices, label, allow_blank=model_field.blank)
        if isinstance(model_field, models.ForeignKey) and model_field.related_model is User:
            return PersonWidget(self.scope, label)
        if isinstance(model_field, models.DateField):
            return DateWidget(label)
        if isinstance(model_field, (models.PositiveSmallIntegerField, models.IntegerField)):
            return IntegerWidget(label)
        if isinstance(model_field, models.DecimalField):
            return DecimalWidget(label)
        return TextWidget()

    def get_queryset(self):
        return self._meta.model.objects.all()

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new and not instance.is_editable_by(self.user):
            raise ValidationError(self.not_yours(instance))
        instance._import_snapshot = {
            name: self._stored(instance, name) for name in row if name in self.fields and not new
        }

    def not_yours(self, instance) -> str:
        if not instance.is_visible_to(self.user):
            manager = User.objects.filter(team_id=instance.team_id_for_visibility(), role=User.Role.MANAGER).first()
            return _("已有相同编号的记录属于其他团队,请联系%(who)s") % {
                "who": manager.display_name if manager else _("销售总监")
            }
        return _("这条记录不是你负责的,不能通过导入修改")

    def _stored(self, instance, name):
        model_field = self._meta.model._meta.get_field(name)
        return getattr(instance, model_field.attname)

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for column in self.columns:
            if column.required and instance.pk is None and _text(row.get(column.name)) == "":
                errors[column.name] = [ValidationError(_("%(label)s不能为空") % {"label": column.label})]
        if errors:
            raise ValidationError(errors)
        snapshot = getattr(instance, "_import_snapshot", {})
        instance._import_changed = [n for n, before in snapshot.items() if self._stored(instance, n) != before]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return bool(instance.pk) and not import_validation_errors and not instance._import_changed

    def do_instance_save(self, instance, is_create):
        if is_create:
            self.create(instance)
        else:
            self.update(instance, instance._import_changed)

    def create(self, instance) -> None:
        raise NotImplementedError

    def update(self, instance, changed: list[str]) -> None:
        raise NotImplementedError

    def title(self, instance) -> str:
        return str(instance)[:200]


class CodeLoader(BaseInstanceLoader):
    """The rows of a chunk's lines found at once, by their key column (企业标识/编号, 项目编号)."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        key = resource.key
        self.found: dict[str, Any] = {}
        if dataset is not None and key in dataset.headers:
            keys = {_text(v) for v in dataset[key] if _text(v)}
            if keys:
                for row in resource.get_queryset().filter(**{f"{key}__in": keys}):
                    self.found[getattr(row, key)] = row

    def get_instance(self, row):
        return self.found.get(_text(row.get(self.resource.key)))


class CustomerResource(ImportResource):
    key = "code"
    check_writes = False
    # the F02 paper's fields, in its order (its form's sections), and the owner
    columns = (
        _model_column(Customer, "name", required=True, aliases=("客户名称", "公司名称", "customer name", "company")),
        _model_column(
            Customer, "code", required=True, aliases=("客户编号", "统一社会信用代码", "customer code", "credit code")
        ),
        *(_model_column(Customer, name) for name in _paper_fields(CUSTOMER_SECTIONS, skip={"name", "code", "owner"})),
        _model_column(Customer, "owner"),
    )

    class Meta(ImportResource.Meta):
        model = Customer
        import_id_fields = ("code",)
        instance_loader_class = CodeLoader
        use_bulk = True
        batch_size = None  # each chunk the service hands over is written at its end

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.made: set[str] = set()  # the codes of the lines so far: a code twice in one file is refused

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """A chunk's new customers in a few statements: one INSERT a line would be most of the time.
        A check does not write them at all (no later line needs them: a code twice is refused from
        memory), so it leaves no dead rows behind for the import's duplicate search to step over."""
        from customers.services import customers_create_in_bulk

        if self.create_instances and not self.checking:
            customers_create_in_bulk(customers=self.create_instances, by=self.user, reason=self.run.history_reason)
        self.create_instances = []

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.checking:
            for instance in self.update_instances:
                self.update(instance, instance._import_changed)
        self.update_instances = []

    def get_queryset(self):
        return Customer.objects.all()

    def after_init_instance(self, instance, new, row, **kwargs):
        if new and instance.owner_id is None:
            instance.owner = self.user
        super().after_init_instance(instance, new, row, **kwargs)

    def get_or_init_instance(self, instance_loader, row):
        code = _text(row.get("code"))
        if code and code in self.made:
            raise ValidationError(_("文件中前面已有一行是这个企业标识/编号“%(code)s”") % {"code": code})
        instance, new = super().get_or_init_instance(instance_loader, row)
        if code:
            self.made.add(code)
        return instance, new

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The code's uniqueness is the loader's (and the made codes'); the owner is one of the scope's
        # people; the constraints repeat the field validators: three queries a line spared.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude={*errors, "owner"}, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        from customers.duplicates import similar_customers

        if instance.pk is None:
            found = similar_customers(name=instance.name, user=self.user, limit=1, check_code=False)
            if found:
                self.warnings.setdefault(kwargs["row_number"], []).append(found[0].warning)

    def create(self, instance):
        from customers.services import customer_create

        customer_create(customer=instance, by=self.user, reason=self.run.history_reason)

    def update(self, instance, changed):
        from customers.services import customer_update

        customer_update(customer=instance, by=self.user, changed_fields=changed, reason=self.run.history_reason)

    def title(self, instance):
        return f"{instance.name}({instance.code})"[:200]


class CustomerRefWidget(widgets.Widget):
    """A customer by 企业标识/编号 or by name, among the customers the importer sees."""

    def __init__(self, resource):
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            raise ValueError(_("缺少客户"))
        found = self.resource.customers.get(text) or self.resource.customers.get(_key(text))
        if found is None:
            raise ValueError(_("找不到客户“%(value)s”(请先导入客户,或核对编号)") % {"value": text})
        if found == "many":
            raise ValueError(_("有多个客户叫“%(value)s”,请改用企业标识/编号") % {"value": text})
        return found


class WithCustomer(ImportResource):
    def widget(self, column):
        if column.name == "customer":
            return CustomerRefWidget(self)
        return super().widget(column)

    def before_import(self, dataset, **kwargs):
        """The chunk's customers, looked up at once by code and by name in the importer's scope."""
        self.customers: dict[str, Any] = {}
        if "customer" not in dataset.headers:
            return
        texts = {_text(v) for v in dataset["customer"] if _text(v)}
        visible = Customer.objects.visible_to(self.user).only("pk", "name", "code", "team_id")
        for customer in visible.filter(code__in=texts):
            self.customers[customer.code] = customer
        for customer in visible.filter(name__in=texts):
            name = _key(customer.name)
            self.customers[name] = "many" if name in self.customers else customer


# A contact's or project's customer column, by any of the names the lists export it under.
CUSTOMER_NAMES = ("customer", "customer code", "企业标识/编号", "客户名称", "企业名称", "customer name", "company")


class ContactLoader(BaseInstanceLoader):
    """A contact line updates the contact of that name at that customer."""

    def get_instance(self, row):
        try:
            customer = self.resource.fields["customer"].clean(row)
        except ValueError:
            return None
        name = _text(row.get("name"))
        return Contact.objects.filter(customer=customer, name=name).order_by("pk").first() if name else None


class ContactResource(WithCustomer):
    columns = (
        Column("customer", gettext_lazy("客户"), aliases=CUSTOMER_NAMES, required=True),
        _model_column(Contact, "name", required=True, aliases=("contact name",)),
        Column("reports_to", gettext_lazy("直接上级"), aliases=("reports to", "boss", "manager")),
        *(
            _model_column(Contact, name)
            for name in _paper_fields(CONTACT_SECTIONS, skip={"customer", "name", "reports_to", "owner"})
        ),
        _model_column(Contact, "owner"),
    )

    class Meta(ImportResource.Meta):
        model = Contact
        import_id_fields = ("customer", "name")
        instance_loader_class = ContactLoader

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["reports_to"] = Field(attribute=None, column_name="reports_to", widget=TextWidget())
        self.bosses: list[tuple[int, str, int]] = []  # (contact, boss's name, line) resolved at the end

    def after_init_instance(self, instance, new, row, **kwargs):
        if new and instance.owner_id is None:
            instance.owner = self.user
        super().after_init_instance(instance, new, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        boss = _text(row.get("reports_to"))
        if boss and (instance.reports_to is None or instance.reports_to.name != boss):
            self.bosses.append((instance.pk, boss, self.lines[kwargs["row_number"] - 1]))

    def create(self, instance):
        from contacts.services import contact_create

        contact_create(contact=instance, by=self.user, reason=self.run.history_reason)

    def update(self, instance, changed):
        from contacts.services import contact_update

        contact_update(contact=instance, by=self.user, changed_fields=changed, reason=self.run.history_reason)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        boss = _text(row.get("reports_to"))
        if boss and instance.pk and (instance.reports_to is None or instance.reports_to.name != boss):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def title(self, instance):
        return f"{instance.name}({instance.customer.name})"[:200]

    def link_bosses(self) -> dict[int, str]:
        """直接上级 by name within the customer, once every line is in (a boss may come below the report):
        the lines whose boss was not found, with a warning."""
        from contacts.services import contact_update

        unresolved: dict[int, str] = {}
        for contact_id, boss_name, line in self.bosses:
            contact = Contact.objects.get(pk=contact_id)
            boss = (
                Contact.objects.filter(customer_id=contact.customer_id, name=boss_name)
                .exclude(pk=contact_id)
                .order_by("pk")
                .first()
            )
            if boss is None:
                unresolved[line] = _("直接上级“%(name)s”在该客户下找不到,未设置") % {"name": boss_name}
                continue
            contact.reports_to = boss
            try:
                contact.full_clean(validate_unique=False)
            except ValidationError:
                unresolved[line] = _("直接上级“%(name)s”会形成循环,未设置") % {"name": boss_name}
                continue
            contact_update(contact=contact, by=self.user, changed_fields=["reports_to"], reason=self.run.history_reason)
        return unresolved


class ProjectResource(WithCustomer):
    key = "number"
    columns = (
        Column("number", Project._meta.get_field("number").verbose_name, aliases=("project number", "no")),
        Column("customer", gettext_lazy("客户"), aliases=CUSTOMER_NAMES, required=True),
        _model_column(Project, "name", required=True, aliases=("project name", "project")),
        _model_column(Project, "amount", required=True, aliases=("value",)),
        _model_column(Project, "currency"),
        _model_column(Project, "exchange_rate", aliases=("rate",)),
        _model_column(Project, "expected_close_date", required=True, aliases=("close date", "signing date")),
        Column("stage", Project._meta.get_field("stage").verbose_name, aliases=("our stage", "stage")),
        Column("customer_stage", Project._meta.get_field("customer_stage").verbose_name, aliases=("customer stage",)),
        _model_column(Project, "owner"),
        Column(
            "status",
            Project._meta.get_field("status").verbose_name,
            aliases=("status",),
            choices=list(Project.Status.choices),
        ),
        Column(
            "lost_reason",
            Project._meta.get_field("lost_reason").verbose_name,
            aliases=("lost reason",),
            choices=list(Project.LostReason.choices),
        ),
        _model_column(Project, "description"),
    )
    STAGE_FIELDS = ("stage", "customer_stage", "status", "lost_reason")

    class Meta(ImportResource.Meta):
        model = Project
        import_id_fields = ("number",)
        instance_loader_class = CodeLoader

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # the number is given by the system for a new project; a line with one updates that project
        self.fields["number"] = Field(attribute=None, column_name="number", widget=TextWidget())

    def widget(self, column):
        if column.name in ("stage", "customer_stage"):
            return StageWidget(column.label, customer_side=column.name == "customer_stage")
        return super().widget(column)

    def get_queryset(self):
        return Project.objects.select_related("stage", "customer_stage")

    def get_or_init_instance(self, instance_loader, row):
        number = _text(row.get("number"))
        instance = instance_loader.get_instance(row) if number else None
        if number and instance is None:
            raise ValidationError(_("找不到项目编号“%(value)s”(新项目请把编号留空)") % {"value": number})
        return (instance, False) if instance else (self.init_instance(row), True)

    def after_init_instance(self, instance, new, row, **kwargs):
        if new and instance.owner_id is None:
            instance.owner = self.user
        super().after_init_instance(instance, new, row, **kwargs)
        instance._import_stage = {}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in self.STAGE_FIELDS:
            if field.column_name in row:
                instance._import_stage[field.column_name] = field.clean(row)
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        wanted = instance._import_stage
        if instance.pk is None:
            status = wanted.get("status") or Project.Status.OPEN
            if status in (Project.Status.LOST, Project.Status.ABANDONED) and not wanted.get("lost_reason"):
                raise ValidationError({"lost_reason": _("丢单或放弃的项目要写丢单原因")})
            if instance.exchange_rate is None:
                instance.exchange_rate = Decimal("1")
            return
        moved = [
            name
            for name in self.STAGE_FIELDS
            if wanted.get(name) not in (None, "") and wanted[name] != getattr(instance, name)
        ]
        if moved:
            raise ValidationError(_("已有项目的阶段和状态不能通过导入修改(请在项目页推进或结案,以经过阶段关口)"))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        exclude = {*errors, "number", "stage", "customer_stage", "stage_entered_at", "customer_stage_observed_on"}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def create(self, instance):
        from pipeline.services import project_import_create

        wanted = instance._import_stage
        project_import_create(
            project=instance,
            by=self.user,
            stage=wanted.get("stage"),
            customer_stage=wanted.get("customer_stage"),
            status=wanted.get("status") or Project.Status.OPEN,
            lost_reason=wanted.get("lost_reason") or "",
            reason=self.run.history_reason,
        )

    def update(self, instance, changed):
        from pipeline.services import project_update

        project_update(project=instance, by=self.user, changed_fields=changed, reason=self.run.history_reason)

    def title(self, instance):
        return f"{instance.number} {instance.name}"[:200]


RESOURCES: dict[str, type[ImportResource]] = {
    "customers": CustomerResource,
    "contacts": ContactResource,
    "projects": ProjectResource,
}

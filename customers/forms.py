from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import PaperForm, SearchSelect
from core.typing import Label
from core.versioning import VersionedForm
from customers.models import Customer


def offer_customers(field: forms.ModelChoiceField, customers) -> None:
    """Make ``field`` pick one of ``customers``: a select, with a search box once they are many."""
    attrs = {k: v for k, v in field.widget.attrs.items() if k != "class"}
    field.widget = SearchSelect(
        attrs, search_url=reverse_lazy("customers:options"), placeholder=_("搜索企业名称、简称或编号")
    )
    field.widget.is_required = field.required
    field.queryset = customers  # also hands the widget its choices


CUSTOMER_SECTIONS: list[tuple[Label, list[str]]] = [
    (
        _("基本信息"),
        [
            "name",
            "short_name",
            "code",
            "category",
            "source",
            "ownership",
            "business_type",
            "industry",
            "main_products",
            "scale",
        ],
    ),
    (
        _("联系方式"),
        [
            "legal_representative",
            "contact_person",
            "key_decision_maker",
            "address",
            "postcode",
            "phone",
            "fax",
            "email",
        ],
    ),
    (
        _("经营状况"),
        ["annual_output", "market_share", "sales_revenue", "performance", "cost", "profit", "sales_expense"],
    ),
    (_("资信与账户"), ["bank", "bank_account", "credit_rating", "anomalies"]),
    (_("信息登记"), ["owner", "collected_by"]),
]


class CustomerForm(VersionedForm, PaperForm):
    sections = CUSTOMER_SECTIONS

    class Meta:
        model = Customer
        fields = [name for _title, names in CUSTOMER_SECTIONS for name in names]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user.is_rep:
            # A rep's customers are their own; handing one over is the manager's call.
            del self.fields["owner"]
        elif not self.instance.pk:
            self.fields["owner"].initial = user.pk

    duplicates: list = []
    notice_template = ""

    def clean(self):
        """Warn of a customer that may be this one (same code, same name without its legal form, a
        very similar name) until the user says it is not; another team's is named only by who to ask."""
        from customers.duplicates import similar_customers

        cleaned = super().clean()
        name, code = cleaned.get("name"), cleaned.get("code") or ""
        if name and (self.instance.pk is None or {"name", "code"} & set(self.changed_data)):
            self.duplicates = similar_customers(name=name, code=code, user=self.user, exclude_pk=self.instance.pk)
            if self.duplicates and not self.data.get("duplicate_confirmed"):
                self.notice_template = "customers/includes/duplicates.html"
                raise ValidationError(
                    _("可能与已有客户重复。请核对;确认不是同一家后,勾选“不是同一家,仍然保存”再保存。"),
                    code="duplicate",
                )
        return cleaned


class MergeForm(forms.Form):
    """Which customer this one absorbs: its contacts, projects, forms and history move here."""

    merged = forms.ModelChoiceField(label=_("并入本客户的客户"), queryset=Customer.objects.none())
    confirm = forms.BooleanField(label=_("我已核对,这两个客户是同一家企业"), required=True)

    def __init__(self, *args, survivor: Customer, customers, **kwargs):
        super().__init__(*args, **kwargs)
        offer_customers(cast(forms.ModelChoiceField, self.fields["merged"]), customers.exclude(pk=survivor.pk))

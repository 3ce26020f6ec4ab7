from django import forms
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

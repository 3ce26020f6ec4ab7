"""The contact list as a spreadsheet: F03's fields, the customer by its number and name."""

from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from core.exports import Column, model_columns

F03_FIELDS = [
    "name",
    "title",
    "employer",
    "reports_to",
    "rapport",
    "influence",
    "relationship_type",
    "relationship_status",
    "gender",
    "age",
    "political_affiliation",
    "address",
    "postcode",
    "phone",
    "fax",
    "email",
    "birthday",
    "birthplace",
    "school",
    "major",
    "personality",
    "interests",
    "sports",
    "family",
    "social_circle",
    "personal_credit",
    "owner",
    "registered_on",
]


def columns() -> list[Column]:
    return [
        Column(_("企业标识/编号"), lambda c: c.customer.code),
        Column(_("客户名称"), lambda c: c.customer.name),
        *model_columns(Contact, F03_FIELDS),
    ]

"""The customer list as a spreadsheet: F02's fields under the paper's labels."""

from core.exports import Column, model_columns
from customers.models import Customer

F02_FIELDS = [
    "code",
    "name",
    "short_name",
    "category",
    "source",
    "legal_representative",
    "contact_person",
    "address",
    "key_decision_maker",
    "postcode",
    "phone",
    "fax",
    "email",
    "ownership",
    "business_type",
    "industry",
    "main_products",
    "scale",
    "annual_output",
    "market_share",
    "sales_revenue",
    "performance",
    "cost",
    "profit",
    "bank",
    "sales_expense",
    "credit_rating",
    "bank_account",
    "anomalies",
    "owner",
    "team",
    "registered_on",
    "collected_by",
    "entered_by",
    "reviewed_by",
    "is_reviewed",
]


def columns() -> list[Column]:
    return model_columns(Customer, F02_FIELDS)

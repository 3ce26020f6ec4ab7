import datetime

import pytest
from django.db import models
from django.utils import timezone

from forms_toolkit.registry import registry
from tests.factories import ContactFactory

PROJECT_TYPES = [t.code for t in registry.all() if t.level == "project"]
CUSTOMER_TYPES = [t.code for t in registry.all() if t.level == "customer"]
ALL_TYPES = [t.code for t in registry.all()]


def _value(field, *, rep, contact, stage):
    """A valid value for a model field, as a browser would post it."""
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey):
        model = field.related_model._meta.model_name
        return {"user": rep.pk, "contact": contact.pk, "stagedefinition": stage.pk}.get(model, "")
    if isinstance(field, models.DateTimeField):
        return "2026-11-20T10:00"
    if isinstance(field, models.DateField):
        return timezone.localdate().isoformat()
    if isinstance(field, models.TimeField):
        return "09:30"
    if isinstance(field, models.DecimalField):
        return "100" if "weight" in field.name else "1000"
    if isinstance(field, models.IntegerField):
        if field.name in ("our_score",):
            return "4"
        return "80" if field.name.startswith("score") else "1"
    if isinstance(field, models.BooleanField):
        return ""
    if isinstance(field, models.EmailField):
        return "a@example.cn"
    if isinstance(field, models.FileField):
        return ""
    return f"填写的{field.verbose_name}"[: getattr(field, "max_length", None) or 200]


@pytest.fixture
def post_data(rep, stage):
    """Form data for a valid form of a type: its header fields and one row in each table."""

    def build(form_type, *, customer, version=None):
        contact = customer.contacts.first() or ContactFactory(customer=customer)
        data = {"filled_on": timezone.localdate().isoformat(), "shareable": ""}
        if version is not None:
            data["version"] = str(version)
        for name in form_type.header_fields:
            if name in ("filled_on", "shareable"):
                continue
            field = form_type.model._meta.get_field(name)
            if name == "compared_customer":
                continue
            data[name] = _value(field, rep=rep, contact=contact, stage=stage(1))
        if "implementation_start" in data:
            data["implementation_end"] = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
        for inline in form_type.inlines:
            prefix = inline.prefix
            data.update(
                {
                    f"{prefix}-TOTAL_FORMS": "1",
                    f"{prefix}-INITIAL_FORMS": "0",
                    f"{prefix}-MIN_NUM_FORMS": "0",
                    f"{prefix}-MAX_NUM_FORMS": "1000",
                }
            )
            for name in inline.fields:
                field = inline.model._meta.get_field(name)
                data[f"{prefix}-0-{name}"] = _value(field, rep=rep, contact=contact, stage=stage(1))
            if form_type.code == "F18" and prefix == "indicators":
                data[f"{prefix}-0-cscore_0"] = "3"
        return data

    return build

from django.utils.translation import gettext_lazy as _

from contacts.models import Contact, DecisionMakerProfile
from core.forms import DateInput, PaperForm
from core.typing import Label
from core.versioning import VersionedForm
from customers.forms import offer_customers

CONTACT_SECTIONS: list[tuple[Label, list[str]]] = [
    (_("基本信息"), ["customer", "name", "title", "employer", "reports_to"]),
    (_("客户关系"), ["rapport", "influence", "relationship_type", "relationship_status", "personality"]),
    (_("联系方式"), ["phone", "fax", "email"]),
    (
        _("个人信息"),
        [
            "gender",
            "age",
            "political_affiliation",
            "address",
            "postcode",
            "birthday",
            "birthplace",
            "school",
            "major",
            "interests",
            "sports",
            "family",
            "social_circle",
            "personal_credit",
        ],
    ),
    (_("信息登记"), ["collected_by"]),
]

PROFILE_SECTIONS: list[tuple[Label, list[str]]] = [
    (_("教育与经历"), ["education", "social_experience"]),
    (
        _("家庭情况"),
        [
            "marital_status",
            "wedding_anniversary",
            "spouse_name",
            "spouse_birthday",
            "spouse_interests",
            "children_names",
            "children_ages",
            "children_indulgence",
            "children_birthdays",
            "children_interests",
            "other_family",
        ],
    ),
    (_("信息登记"), ["collected_by"]),
]


class ContactForm(VersionedForm, PaperForm):
    sections = CONTACT_SECTIONS

    class Meta:
        model = Contact
        fields = [name for _title, names in CONTACT_SECTIONS for name in names]
        widgets = {"birthday": DateInput()}

    def __init__(self, *args, user, customers, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        offer_customers(self.fields["customer"], customers)
        customer_id = self.data.get("customer") or self.initial.get("customer") or self.instance.customer_id
        bosses = Contact.objects.none()
        if customer_id:
            try:
                bosses = Contact.objects.filter(customer_id=int(getattr(customer_id, "pk", customer_id)))
            except (TypeError, ValueError):
                pass
        if self.instance.pk:
            bosses = bosses.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = bosses.order_by("name")
        if self.instance.pk:
            # Moving a contact to another customer would tear the org chart apart.
            self.fields["customer"].disabled = True


class DecisionMakerProfileForm(VersionedForm, PaperForm):
    sections = PROFILE_SECTIONS

    class Meta:
        model = DecisionMakerProfile
        fields = [name for _title, names in PROFILE_SECTIONS for name in names]
        widgets = {"wedding_anniversary": DateInput(), "spouse_birthday": DateInput()}

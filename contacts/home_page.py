"""What the contacts add to the home page: how many contacts the user filled in."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.hooks import HomeCount
from contacts.models import Contact


def home_count(*, request) -> HomeCount:
    count = Contact.objects.visible_to(request.user).filter(owner=request.user).count()
    return HomeCount(label=_("我填写的联系人"), count=count, url=reverse("contacts:list"))

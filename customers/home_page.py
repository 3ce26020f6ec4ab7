"""What the customers add to the home page: the user's customer count, and for managers the teams'
overview and the customers waiting for review; everyone's recently updated customers."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.hooks import HomeCount
from customers.models import Customer
from customers.selectors import team_overview_list


def home_count(*, request) -> HomeCount:
    user = request.user
    count = Customer.objects.visible_to(user).filter(owner=user).count()
    return HomeCount(label=_("我负责的客户"), count=count, url=f"{reverse('customers:list')}?owner={user.pk}")


def home_panel(*, request) -> str:
    user = request.user
    customers = Customer.objects.visible_to(user)
    oversees = permissions.manager(user)
    return render_to_string(
        "customers/includes/home_panel.html",
        {
            "teams": team_overview_list(user=user) if oversees else [],
            "awaiting_review": (
                customers.filter(is_reviewed=False).select_related("owner").order_by("created_at")[:10]
                if oversees
                else []
            ),
            "my_customers": customers.filter(owner=user).select_related("team").order_by("-updated_at")[:8],
        },
        request=request,
    )

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language

from accounts.hooks import home_panels
from accounts.selectors import team_overview_list
from contacts.models import Contact
from customers.models import Customer


def home(request):
    """Each role's starting page: what is theirs to do and where everything is."""
    user = request.user
    customers = Customer.objects.visible_to(user)
    context = {
        "my_customers": customers.filter(owner=user).select_related("team").order_by("-updated_at")[:8],
        "my_customer_count": customers.filter(owner=user).count(),
        "my_contact_count": Contact.objects.visible_to(user).filter(owner=user).count(),
        "teams": team_overview_list(user=user) if (user.is_manager or user.sees_everything) else [],
        "awaiting_review": (
            customers.filter(is_reviewed=False).select_related("owner").order_by("created_at")[:10]
            if (user.is_manager or user.sees_everything)
            else []
        ),
        "panels": home_panels(request=request),
    }
    return render(request, "accounts/home.html", context)


set_language = login_not_required(django_set_language)

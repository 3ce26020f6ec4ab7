import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from accounts import signatures
from accounts.hooks import home_counts, home_panels


def home(request):
    """Each role's starting page: what is theirs to do and where everything is (the apps built on
    accounts add their counts and panels)."""
    context = {"counts": home_counts(request=request), "panels": home_panels(request=request)}
    return render(request, "accounts/home.html", context)


set_language = login_not_required(django_set_language)


def locked_out(request, response=None, credentials=None):
    """django-axes' answer to a locked username+address: the login page again, the username kept,
    saying until when (each try while locked starts the wait again)."""
    cool_off = datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    until = timezone.localtime(timezone.now() + cool_off)
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    message = _(
        "连续输错密码 %(limit)s 次,此账号在本机已锁定。请在 %(until)s(%(minutes)s 分钟后)再试,或请管理员解锁。"
    ) % {
        "limit": settings.AXES_FAILURE_LIMIT,
        "until": until.strftime("%H:%M"),
        "minutes": round(cool_off.total_seconds() / 60),
    }
    context = {"form": form, "locked_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


def signature(request):
    """Draw (or clear) the signature printed on the forms one approves."""
    error = ""
    if request.method == "POST":
        if request.POST.get("remove"):
            signatures.signature_remove(user=request.user)
            messages.success(request, _("已删除手写签名,审批时将只打印姓名和日期。"))
            return redirect("signature")
        try:
            signatures.signature_save(user=request.user, data_url=request.POST.get("drawing", ""))
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("手写签名已保存,审批时将打印在签字栏上。"))
            return redirect("signature")
    current = signatures.data_url(signatures.signature_of(request.user))
    return render(
        request, "accounts/signature.html", {"current": current, "error": error}, status=400 if error else 200
    )

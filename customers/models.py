import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.visibility import TeamScopedMixin, TeamScopedQuerySet
from core.models import AuditBlock
from core.search import contains

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]

# Legal forms and what else a company's name carries that says nothing of who it is: removed,
# with every bracketed part and all spaces and punctuation, a name is compared with the others.
LEGAL_FORMS = (
    "集团股份有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "总公司",
    "公司",
    "集团",
    "corporation",
    "company",
    "limited",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "co.",
    "corp.",
    "corp",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "gmbh",
    "llc",
    "plc",
    "ag",
)
_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_NOT_NAME = re.compile(r"[\s,，.。·、&＆\-—_'\"“”]+")


def name_key(name: str) -> str:
    """A customer's name as duplicates are found by: 上海振华重工(集团)股份有限公司 -> 上海振华重工."""
    text = _BRACKETED.sub("", (name or "").lower())
    text = text.replace(" ", "")
    changed = True
    while changed and text:
        changed = False
        for form in LEGAL_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text = text[: -len(form)]
                changed = True
    return _NOT_NAME.sub("", text)


class CustomerQuerySet(TeamScopedQuerySet):
    team_path = "team"
    owner_paths = ("owner",)

    def search(self, text: str):
        """Customers whose name, short name or code contains ``text`` (all of them for blank text)."""
        text = text.strip()
        if not text:
            return self
        return self.filter(contains(text, "name", "short_name", "code"))


class Customer(TeamScopedMixin, AuditBlock):
    """F02 客户基本信息表."""

    class Category(models.TextChoices):
        GENERAL = "general", _("一般")
        IMPORTANT = "important", _("重要")
        VIP = "vip", _("VIP")

    class Source(models.TextChoices):
        ADVERTISING = "advertising", _("广告反馈")
        EXHIBITION = "exhibition", _("展会")
        REFERRAL = "referral", _("老客户介绍")
        WALK_IN = "walk_in", _("主动上门")
        REP_PROSPECTING = "rep_prospecting", _("销售人员发掘")

    class Ownership(models.TextChoices):
        FOREIGN = "foreign", _("外资")
        JOINT_VENTURE = "joint_venture", _("合资")
        STATE = "state", _("国有")
        COLLECTIVE = "collective", _("集体")
        PRIVATE = "private", _("个体")
        OTHER = "other", _("其他")

    class BusinessType(models.TextChoices):
        PRODUCTION = "production", _("生产型")
        TRADING = "trading", _("贸易型")
        SERVICE = "service", _("服务型")
        OTHER = "other", _("其他")

    class Industry(models.TextChoices):
        AVIATION = "aviation", _("航空")
        MACHINERY = "machinery", _("机械")
        ELECTRICAL = "electrical", _("电器")
        TELECOM = "telecom", _("电信")
        TOBACCO = "tobacco", _("烟草")
        INFORMATION = "information", _("信息")
        MEDIA = "media", _("传媒")
        GOVERNMENT = "government", _("政府")
        OTHER = "other", _("其他")

    class CreditRating(models.TextChoices):
        RED = "red", _("红")
        GREY = "grey", _("灰")
        BLACK = "black", _("黑")
        WHITE = "white", _("白")

    UNITS = {
        "annual_output": _("万元"),
        "sales_revenue": _("万元"),
        "cost": _("万元"),
        "profit": _("万元"),
        "sales_expense": _("万元"),
        "market_share": "%",
    }

    name = models.CharField(_("企业名称"), max_length=200)
    short_name = models.CharField(_("企业简称"), max_length=60, blank=True)
    code = models.CharField(
        _("企业标识/编号"),
        max_length=40,
        unique=True,
        help_text=_("企业的唯一编号,如统一社会信用代码或内部客户编号。"),
        # Whoever holds the code may be another team: the message says the code is taken, nothing of them.
        error_messages={"unique": _("这个企业标识/编号已被使用,请核对后重新填写。")},
    )
    category = models.CharField(_("客户类别"), max_length=16, choices=Category, default=Category.GENERAL)
    source = models.CharField(_("客户来源"), max_length=20, choices=Source, blank=True)
    legal_representative = models.CharField(_("法人代表"), max_length=60, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=60, blank=True)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    key_decision_maker = models.CharField(_("关键决策人"), max_length=60, blank=True)
    postcode = models.CharField(_("邮编"), max_length=12, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    fax = models.CharField(_("传真"), max_length=40, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    ownership = models.CharField(_("企业性质"), max_length=16, choices=Ownership, blank=True)
    business_type = models.CharField(_("企业类型"), max_length=16, choices=BusinessType, blank=True)
    industry = models.CharField(_("企业所属行业"), max_length=16, choices=Industry, blank=True)
    main_products = models.TextField(_("主营产品"), blank=True)
    scale = models.CharField(_("企业规模"), max_length=100, blank=True, help_text=_("如员工人数、厂区面积。"))
    annual_output = models.DecimalField(
        _("年产值"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("单位:万元"),
    )
    market_share = models.DecimalField(
        _("市场占有率"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("百分比,0–100"),
    )
    sales_revenue = models.DecimalField(
        _("销售额"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("单位:万元"),
    )
    performance = models.CharField(_("效益"), max_length=100, blank=True)
    cost = models.DecimalField(
        _("成本"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("单位:万元"),
    )
    profit = models.DecimalField(
        _("利润"), max_digits=18, decimal_places=2, null=True, blank=True, help_text=_("单位:万元,亏损填负数")
    )
    bank = models.CharField(_("开户银行"), max_length=100, blank=True)
    sales_expense = models.DecimalField(
        _("销售费用"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("单位:万元"),
    )
    credit_rating = models.CharField(_("企业资信"), max_length=8, choices=CreditRating, blank=True)
    bank_account = models.CharField(_("账户/账号"), max_length=60, blank=True)
    anomalies = models.TextField(_("异常情况"), blank=True)
    # the name as duplicates are found by (name_key): kept on every save
    name_key = models.CharField(max_length=200, blank=True, default="", editable=False, db_index=True)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="customers"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("所属团队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="customers",
    )
    # the optimistic lock (core/versioning.py): bumped by every save through the services
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version", "name_key"])
    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["team", "name"]),
            models.Index(fields=["owner", "name"]),
            # The home page: customers waiting for review, counted per team and listed oldest first.
            models.Index(fields=["team", "created_at"], condition=Q(is_reviewed=False), name="customer_unreviewed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(market_share__isnull=True) | models.Q(market_share__gte=0, market_share__lte=100),
                name="customer_market_share_is_a_percentage",
            )
        ]

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.visibility import TeamScopedMixin, TeamScopedQuerySet
from core.models import AuditBlock


class ContactQuerySet(TeamScopedQuerySet):
    team_path = "customer__team"
    owner_paths = ("owner",)


class Personality(models.TextChoices):
    ANALYTICAL = "analytical", _("分析型")
    EXPRESSIVE = "expressive", _("表现型")
    DRIVER = "driver", _("控制型")
    AMIABLE = "amiable", _("友善型")
    UNDETERMINED = "undetermined", _("未能判定")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Contact(TeamScopedMixin, AuditBlock):
    """F03 联系人基本信息表; ``reports_to`` draws the customer's org chart."""

    class Rapport(models.TextChoices):
        FIRST_CONTACT = "first_contact", _("初步接触")
        CAN_TALK = "can_talk", _("能交流")
        CONGENIAL = "congenial", _("投缘")
        EXCELLENT = "excellent", _("非常好")

    class Influence(models.TextChoices):
        MEMBER = "member", _("一般成员")
        CORE = "core", _("核心成员")
        ORGANISER = "organiser", _("组织者")
        DECISION_MAKER = "decision_maker", _("决策者")

    class RelationshipType(models.TextChoices):
        TARGET_CUSTOMER = "target_customer", _("目标客户")
        BUSINESS_FRIEND = "business_friend", _("商务朋友")
        FRIEND_OF_CONTACT = "friend_of_contact", _("联系人的朋友")
        PERSONAL_FRIEND = "personal_friend", _("私人朋友")

    class RelationshipStatus(models.TextChoices):
        NOT_CONTACTED = "not_contacted", _("未接触")
        NODDING = "nodding", _("点头之谊")
        REGULAR = "regular", _("常往来")
        VERY_CLOSE = "very_close", _("很铁")

    # Personal data about a third party: only the contact's owner, their manager
    # and directors see these values (the paper's F16 personal section).
    PERSONAL_FIELDS = (
        "age",
        "political_affiliation",
        "address",
        "postcode",
        "birthday",
        "birthplace",
        "family",
        "social_circle",
        "personal_credit",
    )

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=60)
    title = models.CharField(_("职位"), max_length=100, blank=True)
    employer = models.CharField(_("服务企业"), max_length=200, blank=True, help_text=_("留空则为所属客户。"))
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("直接上级"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
    )
    rapport = models.CharField(_("客情状态"), max_length=16, choices=Rapport, blank=True)
    influence = models.CharField(_("影响力"), max_length=16, choices=Influence, blank=True)
    relationship_type = models.CharField(_("关系性质"), max_length=20, choices=RelationshipType, blank=True)
    relationship_status = models.CharField(_("关系状态"), max_length=16, choices=RelationshipStatus, blank=True)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender, blank=True)
    age = models.PositiveSmallIntegerField(
        _("年龄"), null=True, blank=True, validators=[MinValueValidator(16), MaxValueValidator(110)]
    )
    political_affiliation = models.CharField(_("政治面貌"), max_length=40, blank=True)
    address = models.CharField(_("住址"), max_length=255, blank=True)
    postcode = models.CharField(_("邮编"), max_length=12, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    fax = models.CharField(_("传真"), max_length=40, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    birthplace = models.CharField(_("出生地"), max_length=100, blank=True)
    school = models.CharField(_("毕业学校"), max_length=100, blank=True)
    major = models.CharField(_("专业"), max_length=100, blank=True)
    personality = models.CharField(_("性格"), max_length=16, choices=Personality, blank=True)
    interests = models.CharField(_("兴趣"), max_length=200, blank=True)
    sports = models.CharField(_("喜爱运动"), max_length=200, blank=True)
    family = models.TextField(_("家族成员状况"), blank=True)
    social_circle = models.TextField(_("社交圈"), blank=True)
    personal_credit = models.TextField(_("个人资信"), blank=True)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="contacts"
    )
    # the optimistic lock (core/versioning.py): bumped by every save through the services
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])
    objects = ContactQuerySet.as_manager()

    team_path = "customer__team"
    owner_paths = ("owner",)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["customer", "name"]
        indexes = [models.Index(fields=["customer", "name"]), models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return f"{self.name}({self.title})" if self.title else self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:detail", args=[self.pk])

    def personal_data_visible_to(self, user) -> bool:
        """The contact's owner, the team's manager, directors and admins: the same people who edit it."""
        return self.is_editable_by(user)

    @property
    def employer_name(self) -> str:
        return self.employer or self.customer.name

    def clean(self) -> None:
        if self.reports_to_id is None:
            return
        if self.reports_to_id == self.pk:
            raise ValidationError({"reports_to": _("联系人不能是自己的上级。")})
        if self.customer_id and self.reports_to and self.reports_to.customer_id != self.customer_id:
            raise ValidationError({"reports_to": _("上级必须是同一客户的联系人。")})
        seen = {self.pk}
        boss = self.reports_to
        while boss is not None:
            if boss.pk in seen:
                raise ValidationError({"reports_to": _("这样设置会在组织结构图中形成循环。")})
            seen.add(boss.pk)
            boss = boss.reports_to


class DecisionMakerProfile(AuditBlock):
    """F16 关键决策人基本信息表: the personal fields beyond F03, one-to-one on the contact."""

    contact = models.OneToOneField(
        Contact, verbose_name=_("联系人"), on_delete=models.CASCADE, related_name="decision_maker_profile"
    )
    education = models.TextField(_("教育背景"), blank=True)
    social_experience = models.TextField(_("社会经历"), blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=40, blank=True)
    wedding_anniversary = models.DateField(_("结婚纪念日"), null=True, blank=True)
    spouse_name = models.CharField(_("配偶姓名"), max_length=60, blank=True)
    spouse_birthday = models.DateField(_("配偶生日"), null=True, blank=True)
    spouse_interests = models.CharField(_("配偶的兴趣/爱好"), max_length=200, blank=True)
    children_names = models.CharField(_("子女姓名"), max_length=200, blank=True)
    children_ages = models.CharField(_("子女年龄"), max_length=100, blank=True)
    children_indulgence = models.CharField(_("子女溺爱程度"), max_length=100, blank=True)
    children_birthdays = models.CharField(_("子女生日"), max_length=200, blank=True)
    children_interests = models.CharField(_("子女的兴趣/爱好"), max_length=200, blank=True)
    other_family = models.TextField(_("家族其他成员情况"), blank=True)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # the optimistic lock (core/versioning.py): bumped by every save through the services
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    class Meta:
        verbose_name = _("关键决策人基本信息")
        verbose_name_plural = _("关键决策人基本信息")

    def __str__(self) -> str:
        return str(self.contact)

    def team_id_for_visibility(self) -> int | None:
        return self.contact.team_id_for_visibility()

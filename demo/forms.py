"""Filled-in paper forms for the demo (and for tests that need real paperwork), made through the services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from forms_toolkit import services
from forms_toolkit.registry import registry

TODAY = timezone.localdate


def _header(code, project, customer):
    name = customer.short_name or customer.name
    contacts = list(customer.contacts.order_by("pk")[:3])
    first = contacts[0].name if contacts else "客户联系人"
    return {
        "F01": {},
        "F04": {},
        "F05": {
            "visitee": f"{first}等",
            "visited_at": timezone.now() - datetime.timedelta(days=3),
            "place": f"{name}总部会议室",
            "companions": "技术工程师",
            "main_content": "介绍我司同类项目业绩,了解设备现状与改造需求。",
            "expected_result": "确认改造需求与预算范围,约定技术交流时间。",
            "next_visit_at": timezone.now() + datetime.timedelta(days=10),
            "next_visit_place": "客户现场",
            "next_visit_purpose": "技术交流",
            "next_visit_plan": "带方案初稿与技术总监一同拜访。",
            "next_actions": "整理需求清单,准备初步方案。",
        },
        "F06": {
            "customer_class": "A",
            "support_needed": "需要资深工艺工程师到现场勘查两天。",
            "reason": "客户对改造方案的可行性有疑虑。",
            "support_period": "下周二至周三",
            "support_form": "travel",
            "requirements": "熟悉同类设备改造",
            "expected_goal": "出具现场勘查报告,打消客户顾虑。",
        },
        "F07": {
            "business_type": "设备维保",
            "business_volume": "年 120 万元",
            "purchase_frequency": "每年 2 次",
            "primary_need": "降低停机时间",
            "our_evaluation": "重要客户,回款及时。",
        },
        "F10": {"analysis": "决策层关系尚需加强,技术部门支持度高。"},
        "F11": {},
        "F12": {
            "place": customer.address or name,
            "researched_on": TODAY() - datetime.timedelta(days=5),
            "contact_name": first,
            "scope": "生产线现有设备与控制系统",
            "goals": "明确需求、约束与验收标准",
            "agenda": "上午现场勘查,下午座谈",
            "needs": "提高产能 15%,降低能耗。",
            "customer_concerns": "停产时间、投资回收期",
            "strengths": "同类业绩多,交付周期短",
            "weaknesses": "价格偏高",
            "improvements": "提供分期实施方案",
        },
        "F13": {"focus": "交付周期与售后响应", "pm_opinion": "方案需补充备件清单。"},
        "F14": {
            "purpose": "展示同类项目业绩,建立客户信心。",
            "agenda": "参观样板工程,座谈交流。",
            "value_to_customer": "直观了解改造效果",
            "goals": "使用部门认可我方方案",
        },
        "F15": {
            "held_on": TODAY() - datetime.timedelta(days=2),
            "place": "样板工程现场",
            "contact_name": first,
            "contact_position": "设备部",
            "demonstration": "样板工程参观与方案演示",
            "demo_result": "客户反响良好。",
            "improvements": "补充能耗测算数据。",
            "suggestions": "尽快提交正式方案。",
        },
        "F17": {
            "background": f"{name}现有设备运行多年,效率下降。",
            "purpose": "完成设备改造,提升产能与可靠性。",
            "scope_and_deliverables": "设备改造、控制系统升级、培训与验收资料。",
            "work_plan": "分三期实施,每期两周停机。",
            "costs": "设备、软件、实施与培训费用。",
            "payment_terms": "3-6-1 付款",
            "after_sales": "两年质保,4 小时响应。",
        },
        "F18": {},
        "F19": {},
        "F20": {},
        "F21": {
            "goals": "守住价格底限,争取 30% 预付款。",
            "schedule": "两周内完成三轮谈判。",
            "pricing_strategy": "总价包干,分项报价备查。",
            "discount_strategy": "最多让利 5%。",
            "price_floor": Decimal(project.amount * Decimal("0.85")).quantize(Decimal("1")) if project else None,
            "payment_terms": "3-6-1",
            "penalties": "延期每日千分之一,上限 5%。",
        },
        "F22": {"account_manager_opinion": "偏离项均可接受。"},
        "F23": {},
        "F24": {
            "contract_name": f"{project.name if project else name}合同",
            "contract_number": "HT-2026-0815",
            "vat_number": "91310000MA1FL0XXXX",
            "invoice_address": customer.address or "—",
            "bank_name": customer.bank or "中国工商银行",
            "bank_account": customer.bank_account or "6222 0000 0000",
            "tax_phone": customer.phone or "021-00000000",
            "commercial_terms": "付款条款已按我方意见修改。",
            "overall_opinion": "同意签署。",
            "execution": "实施团队已确认。",
        },
        "F25": {
            "contract_name": f"{project.name if project else name}合同",
            "contract_number": "HT-2026-0815",
            "handover_on": TODAY(),
            "product_scope": "主设备两套及控制系统",
            "function_scope": "全部标准功能",
            "standard_price": project.amount if project else None,
            "implementation_budget": (project.amount * Decimal("0.08")).quantize(Decimal("1")) if project else None,
            "implementation_start": TODAY() + datetime.timedelta(days=14),
            "implementation_end": TODAY() + datetime.timedelta(days=90),
            "training": "现场培训三天",
            "key_commitments": "两年质保",
        },
        "F26": {"business_type": "设备维保", "kind": "behaviour", "tracking": "近两个季度采购量下降 40%,已安排拜访。"},
    }[code]


def _rows(code, customer, user):
    contacts = list(customer.contacts.order_by("pk")[:3])
    first = contacts[0].name if contacts else "客户联系人"
    today = TODAY()
    if code == "F01":
        return {
            "rows": [
                {
                    "seq": 1,
                    "customer_name": customer.name,
                    "customer_code": customer.code,
                    "found_whom": first,
                    "contact_method": contacts[0].phone if contacts else "",
                    "conversation": "介绍我司产品,客户对节能改造有兴趣。",
                    "follow_up": "索要设备清单",
                    "next_contact_on": today + datetime.timedelta(days=5),
                    "promise": "发送同类项目案例",
                    "work_to_do": "整理案例资料",
                    "work_due_on": today + datetime.timedelta(days=3),
                }
            ]
        }
    if code == "F04":
        from forms_toolkit.definitions import F04_INDICATORS

        items = [(g, i) for g, names in F04_INDICATORS for i in names]
        weights = [Decimal("4")] * (len(items) - 1) + [Decimal(100 - 4 * (len(items) - 1))]
        return {
            "indicators": [
                {"group": g, "indicator": i, "weight": w, "score_1": 60 + (n * 7) % 35}
                for n, ((g, i), w) in enumerate(zip(items, weights, strict=True))
            ]
        }
    if code == "F05":
        return {
            "findings": [
                {
                    "key_factors": "预算已批复",
                    "our_successes": "技术方案得到认可",
                    "our_failures": "尚未接触到总经理",
                    "customer_suggestions": "尽快安排参观",
                }
            ],
            "commitments": [
                {
                    "promise": "一周内提供参观安排",
                    "feedback_on": today + datetime.timedelta(days=7),
                    "responsible": user,
                    "action_plan": "联系样板客户",
                }
            ],
        }
    if code == "F10":
        return {
            "rows": [
                {
                    "decision_maker": c,
                    "department": "设备部",
                    "role_in_project": "技术把关",
                    "current_relationship": "常往来",
                    "weight": w,
                }
                for c, w in zip(contacts, [Decimal("50"), Decimal("30"), Decimal("20")], strict=False)
            ]
        }
    if code == "F11":
        return {
            "rows": [
                {
                    "role": "决策者",
                    "influence": "高",
                    "our_owner": user.display_name,
                    "measures": "安排高层互访",
                    "schedule": "本月内",
                    "check_measures": "月底复盘",
                }
            ]
        }
    if code == "F12":
        return {"interviews": [{"department": "设备部", "person": first, "title": "部长"}]}
    if code == "F13":
        return {"rows": [{"visitor": first, "department": "设备部", "opinion": "方案可行,关注停机时间。"}]}
    if code == "F14":
        return {
            "customer_attendees": [{"name": first, "department": "设备部", "concerns": "可靠性"}],
            "our_attendees": [{"name": user.display_name, "department": "销售部", "role": "主讲"}],
        }
    if code == "F15":
        return {
            "aspects": [{"aspect": "技术方案", "our_suggestion": "分期实施", "customer_suggestion": "先做试点"}],
            "competitors": [{"competitor": "德国某公司", "strengths": "品牌", "weaknesses": "交付慢、价格高"}],
        }
    if code == "F18":
        return {
            "competitors": [{"name": "A竞争对手"}, {"name": "B竞争对手"}],
            "indicators": [
                {"indicator": "产品质量", "weight": Decimal("40"), "our_score": 4, "scores": [5, 3]},
                {"indicator": "效果", "weight": Decimal("30"), "our_score": 4, "scores": [4, 3]},
                {"indicator": "价格", "weight": Decimal("30"), "our_score": 3, "scores": [2, 5]},
            ],
        }
    if code == "F19":
        return {
            "factors": [
                {"indicator": i, "weight": w, "strategy": "持续跟进"}
                for i, w in [
                    ("产品质量", 30),
                    ("服务及时性", 20),
                    ("价格", 20),
                    ("客户关系", 15),
                    ("技术指标", 10),
                    ("其它", 5),
                ]
            ]
        }
    if code == "F20":
        return {
            "criteria": [
                {"concern": "价格", "weight": Decimal("40")},
                {"concern": "交付周期", "weight": Decimal("35")},
                {"concern": "售后服务", "weight": Decimal("25")},
            ]
        }
    if code == "F21":
        return {
            "members": [
                {"side": "ours", "name": user.display_name, "title": "大客户经理", "duty": "主谈"},
                {"side": "customer", "name": first, "title": "采购经理", "duty": "主谈"},
            ]
        }
    if code == "F22":
        return {
            "rows": [
                {
                    "seq": 1,
                    "tender_clause_no": "3.2",
                    "tender_terms": "预付款 10%",
                    "bid_terms": "预付款 30%",
                    "note": "设备定制,需较高预付款",
                }
            ]
        }
    if code == "F23":
        return {
            "rounds": [
                {
                    "round_no": 1,
                    "lead": user.display_name,
                    "held_on": today,
                    "results": "价格基本达成一致",
                    "clause_changes": "付款节点调整",
                }
            ]
        }
    if code == "F24":
        return {"reviewers": [{"name": "法务部", "title": "法务", "department": "法务部", "result": "条款合规"}]}
    return {}


def demo_stage_form(code, *, project=None, customer=None, by, status="submitted", approver=None, director=None):
    """Create a form of type ``code`` filled with plausible content and take it to ``status``."""
    form_type = registry.get(code)
    customer = customer or project.customer
    instance = form_type.model(filled_on=TODAY(), **_header(code, project, customer))
    if hasattr(instance, "visit_stage_id") and project is not None:
        instance.visit_stage = project.stage
    formsets = {}
    form = services.stage_form_create(
        form_type=form_type,
        form=instance,
        formsets=formsets,
        by=by,
        project=project if form_type.level == "project" else None,
        customer=customer,
    )
    rows = _rows(code, customer, by)
    competitors = []
    for prefix, items in rows.items():
        related = getattr(form, prefix)
        for item in items:
            scores = item.pop("scores", None)
            row = related.create(**item)
            if prefix == "competitors":
                competitors.append(row)
            if scores:
                row.competitor_scores = {str(c.pk): s for c, s in zip(competitors, scores, strict=False)}
                row.save(update_fields=["competitor_scores"])
    if status in ("submitted", "approved", "returned"):
        services.stage_form_submit(form=form, by=by)
    if status == "approved":
        for step in form_type.approval_steps:
            signer = _signer(step, form, approver, director)
            services.stage_form_decide(form=form, by=signer, approve=True, advice="同意。")
    elif status == "returned":
        first = form_type.approval_steps[0]
        services.stage_form_decide(
            form=form,
            by=_signer(first, form, approver, director),
            approve=False,
            advice="请补充竞争对手的报价信息后再提交。",
        )
    form.refresh_from_db()
    return form


def _signer(step, form, approver, director):
    signed = services.signed_this_round(form)
    candidates = (approver, director, User.objects.filter(role=User.Role.DIRECTOR).first())
    for candidate in (*candidates, User.objects.filter(is_superuser=True).first()):
        if candidate is not None and step.allows(form, candidate, signed_by=signed):
            return candidate
    # Four eyes needs another person for each step: a small organisation (a test's) gets a stand-in director.
    stand_in, _created = User.objects.get_or_create(
        username=f"signer-{step.code}".replace("_", "-"),
        defaults={"role": User.Role.DIRECTOR, "last_name": "审批", "first_name": str(step.label)[:30]},
    )
    return stand_in

from django.db import migrations

# Stage conditions met by real paperwork: (stage, kind, form code, text, text_en).
CONDITIONS = [
    (1, "form_submitted", "F01", "提交电话记录表", "Call log submitted"),
    (2, "form_submitted", "F05", "提交客户拜访总结报告", "Visit report submitted"),
    (3, "form_submitted", "F12", "提交初期调研报告", "Initial research report submitted"),
    (4, "form_submitted", "F15", "提交业绩展示总结", "Showcase summary submitted"),
    (5, "form_submitted", "F17", "提交方案说明书", "Solution specification submitted"),
    (6, "form_approved", "F18", "竞争对手分析表经领导批准", "Competitor analysis approved"),
    (7, "form_approved", "F21", "合作谈判计划书经领导批准", "Negotiation plan approved"),
    (8, "form_approved", "F24", "合同评审记录经审核、批准", "Contract review approved"),
    (8, "form_submitted", "F25", "提交售前与工程实施交接单", "Handover to implementation submitted"),
]


def add(apps, schema_editor):
    StageDefinition = apps.get_model("pipeline", "StageDefinition")
    StageCondition = apps.get_model("pipeline", "StageCondition")
    for number, kind, code, text, text_en in CONDITIONS:
        stage = StageDefinition.objects.filter(number=number).first()
        if stage is None or stage.conditions.filter(form_type=code, kind=kind).exists():
            continue
        order = (stage.conditions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        StageCondition.objects.create(stage=stage, order=order, kind=kind, form_type=code, text=text, text_en=text_en)


def remove(apps, schema_editor):
    StageCondition = apps.get_model("pipeline", "StageCondition")
    for number, kind, code, _text, _en in CONDITIONS:
        StageCondition.objects.filter(stage__number=number, kind=kind, form_type=code).delete()


class Migration(migrations.Migration):
    dependencies = [("forms_toolkit", "0001_initial"), ("pipeline", "0002_seed_stage_catalog")]
    operations = [migrations.RunPython(add, remove)]

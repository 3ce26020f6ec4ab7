"""How long an import of N customer lines takes, and how much memory it holds (issue 21's target:
10,000 lines in under 60 s on PostgreSQL). A workbook like a team's real one (a merged title row,
group headings, Chinese headers, blank lines, some lines to refuse) is written, checked, imported
and undone, as the page would drive it, in this process; the worker would run the same code."""

import datetime
import random
import resource
import tempfile
import time

from django.core.files import File
from django.core.management.base import BaseCommand
from openpyxl import Workbook

from accounts.models import User
from imports import services

HEADERS = [
    "企业名称",
    "企业标识/编号",
    "客户类别",
    "企业性质",
    "电话",
    "地址",
    "年产值(万元)",
    "企业所属行业",
    "负责人",
]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


REGIONS = "北京 上海 天津 重庆 江苏 浙江 山东 广东 河北 河南 湖北 湖南 四川 福建 安徽 辽宁 吉林 陕西 山西 江西 广西 云南 贵州 甘肃 苏州 无锡 常州 宁波 温州 青岛 烟台 佛山 东莞 厦门".split()
BRAND = "华恒泰昌盛兴隆宏达远鑫瑞丰永安康宇航明光辉金银凯森源通力诚信德新中天海润博创伟业精工科" * 2
TRADES = (
    "机械 重工 电气 自动化 液压 环保 化工 钢铁 能源 电力 纺织 制药 食品 建材 冶金 矿山 船舶 汽车部件 电子 仪表".split()
)
FORMS = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司", "(集团)有限公司"]


def company_name(rng: random.Random) -> str:
    """Names as varied as a real customer list: region, a two- or three-character brand, trade, legal form."""
    brand = "".join(rng.choice(BRAND) for _ in range(rng.choice((2, 2, 3))))
    return f"{rng.choice(REGIONS)}{brand}{rng.choice(TRADES)}{rng.choice(FORMS)}"


def write_workbook(path: str, rows: int, owner: str, seed: int = 21, alike: bool = False) -> None:
    """``alike``: the worst case for the duplicate search, every name the same but for a number."""
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户名单")
    sheet.append([f"客户名单 {datetime.date.today():%Y}"])
    sheet.append(["基本信息", None, None, None, "联系方式", None, "经营状况", None, None])
    sheet.append(HEADERS)
    for i in range(rows):
        if i and i % 500 == 0:
            sheet.append([])
        category = "普通" if i % 400 == 3 else rng.choice(["一般", "重要", "VIP"])
        sheet.append(
            [
                f"{rng.choice(['江苏', '浙江', '山东', '广东'])}{i:06d}号精密机械有限公司"
                if alike
                else company_name(rng),
                f"BI-{seed}-{i:07d}",
                category,
                rng.choice(["国有", "外资", "合资", "个体", "其他"]),
                f"0512-{6000000 + i}",
                f"工业园区{i}号",
                round(rng.uniform(100, 90000), 2),
                rng.choice(["机械", "电器", "航空", "其他"]),
                owner,
            ]
        )
    book.save(path)


class Command(BaseCommand):
    help = "Time the check and the import of N customer lines (make bench-import)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--user", default="", help="who imports (default: the first manager)")
        parser.add_argument("--keep", action="store_true", help="leave the imported customers (no undo)")
        parser.add_argument("--alike", action="store_true", help="names that differ only by a number (worst case)")

    def handle(self, *args, rows, user, keep, alike, **options):
        who = User.objects.get(username=user) if user else User.objects.filter(role="manager").order_by("pk").first()
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as spool:
            write_workbook(spool.name, rows, who.username, seed=int(time.time()) % 100000, alike=alike)
            start_rss = _rss_mb()
            began = time.perf_counter()
            with open(spool.name, "rb") as handle:
                run = services.import_upload(kind="customers", upload=File(handle, name="bench.xlsx"), by=who)
            upload_s = time.perf_counter() - began
        run = services.import_map(run=run, mapping=run.mapping, by=who)
        began = time.perf_counter()
        run = services.import_check(run_id=run.pk)
        check_s = time.perf_counter() - began
        check_rss = _rss_mb()
        run = services.import_confirm(run=run, by=who)
        began = time.perf_counter()
        run = services.import_apply(run_id=run.pk)
        import_s = time.perf_counter() - began
        import_rss = _rss_mb()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"{rows} lines{' (alike names)' if alike else ''} as {who.username}: upload {upload_s:.1f} s, check {check_s:.1f} s, "
            f"import {import_s:.1f} s ({rows / import_s:.0f} lines/s); outcome {run.counts} {run.error}"
        )
        self.stdout.write(
            f"memory: {start_rss:.0f} MB before, {check_rss:.0f} MB after the check, "
            f"{import_rss:.0f} MB after the import, peak {peak:.0f} MB"
        )
        if not keep and run.status == run.Status.DONE:
            began = time.perf_counter()
            services.import_undo(run=run, by=who)
            self.stdout.write(f"undo {time.perf_counter() - began:.1f} s")

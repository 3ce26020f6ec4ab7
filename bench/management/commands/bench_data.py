"""Fill the database with a sales organisation at benchmark scale.

Scale 1 is the reference: 500 users in 40 teams, 100k customers, 300k contacts,
1M projects over ten years with their stage history, paperwork, buying centers and tasks.
"""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Team, User
from bench.generator import Buyer, Loader, Owner, history
from contacts.models import Contact
from customers.models import Customer, name_key
from forecasting.refresh import refresh_all

BENCH_PASSWORD = "bench1234"
REFERENCE = {"teams": 40, "users": 500, "customers": 100_000, "contacts_each": 3, "projects": 1_000_000}
REGIONS = ("华东", "华北", "华南", "华中", "西南", "西北", "东北")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
INDUSTRIES = [c for c, _ in Customer.Industry.choices]
SOURCES = [c for c, _ in Customer.Source.choices]
CATEGORIES = ("general", "general", "important", "important", "vip")
TITLES = ("总经理", "设备部部长", "采购部经理", "技术总监", "财务总监", "生产副总")


class Command(BaseCommand):
    help = "Generate a benchmark organisation (scale 1 = 500 users, 100k customers, 1M projects over ten years)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01, help="fraction of the reference organisation")
        parser.add_argument("--years", type=float, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--chunk", type=int, default=10_000, help="projects written per transaction")
        parser.add_argument("--no-rollup", action="store_true", help="skip the deal-control recompute at the end")

    def handle(self, *args, scale, years, seed, chunk, no_rollup, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive")
        if Team.objects.filter(name__startswith="基准").exists():
            raise CommandError("Benchmark data is already here (teams named 基准…); use a fresh database.")
        started = time.perf_counter()
        rng = random.Random(seed)
        n_teams = max(2, round(REFERENCE["teams"] * scale))
        n_users = max(n_teams * 2, round(REFERENCE["users"] * scale))
        n_customers = max(10, round(REFERENCE["customers"] * scale))
        n_projects = max(20, round(REFERENCE["projects"] * scale))
        self.say(
            started,
            f"scale {scale}: {n_teams} teams, {n_users} users, {n_customers} customers, "
            f"{n_customers * REFERENCE['contacts_each']} contacts, {n_projects} projects over {years} years",
        )
        reps = self._people(n_teams, n_users)
        self.say(started, f"{len(reps)} reps and their managers, 2 directors (password {BENCH_PASSWORD})")
        buyers = self._customers(rng, reps, n_customers, started)

        def progress(done, written):
            rows = sum(written.values())
            self.say(started, f"projects {done:,}/{n_projects:,} · {rows:,} rows written")

        loader = Loader()
        history(
            buyers=buyers, projects=n_projects, years=years, seed=seed, chunk=chunk, progress=progress, loader=loader
        )
        for label, n in sorted(loader.written.items()):
            self.stdout.write(f"  {label:<40} {n:>12,}")
        self._vacuum(started)
        if not no_rollup:
            timings = refresh_all()
            self.say(started, f"deal-control roll-up {timings['total']:.1f} s")
            self._vacuum(started)  # the roll-up's own tables, as autovacuum would soon after
        self.say(started, "done")

    def _vacuum(self, started) -> None:
        """Statistics and visibility maps as a database in service has them (autovacuum), for honest plans."""
        if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (tests run inside one)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.say(started, "VACUUM ANALYZE done")

    def say(self, started, message):
        self.stdout.write(f"[{time.perf_counter() - started:7.1f} s] {message}")
        self.stdout.flush()

    @transaction.atomic
    def _people(self, n_teams, n_users) -> list[Owner]:
        teams = Team.objects.bulk_create(
            [
                Team(name=f"基准{REGIONS[i % len(REGIONS)]}销售{i + 1}部", region=REGIONS[i % len(REGIONS)])
                for i in range(n_teams)
            ]
        )
        password = User(username="x")
        password.set_password(BENCH_PASSWORD)
        users = []
        for i in range(n_users):
            team = teams[i % n_teams]
            manager = i < n_teams
            users.append(
                User(
                    username=f"bench-{'mgr' if manager else 'rep'}-{i:04d}",
                    last_name=SURNAMES[i % len(SURNAMES)],
                    first_name=f"{'经理' if manager else '代表'}{i}",
                    role=User.Role.MANAGER if manager else User.Role.REP,
                    team=team,
                    password=password.password,
                    email=f"bench{i}@example.com",
                )
            )
        users += [
            User(username=f"bench-director-{i}", last_name="钱", first_name=f"总监{i}", role=User.Role.DIRECTOR,
                 password=password.password)
            for i in (1, 2)
        ]  # fmt: skip
        User.objects.bulk_create(users, batch_size=1000)
        return [
            Owner(u.pk, u.team_id) for u in User.objects.filter(username__startswith="bench-rep-").only("pk", "team_id")
        ]

    def _customers(self, rng, reps: list[Owner], n: int, started) -> list[Buyer]:
        buyers = []
        # The team's manager has reviewed all but the newest 2% (a review queue, not the whole book).
        manager_of = dict(User.objects.filter(role=User.Role.MANAGER, team__isnull=False).values_list("team_id", "pk"))
        reviewed_before = int(n * 0.98)
        reviewed_at = timezone.now()
        for first in range(0, n, 10_000):
            with transaction.atomic():
                batch = []
                for i in range(first, min(first + 10_000, n)):
                    owner = reps[i % len(reps)]
                    name = f"基准{REGIONS[i % len(REGIONS)]}重工{i:06d}有限公司"
                    batch.append(
                        Customer(
                            name=name,
                            name_key=name_key(name),
                            short_name=f"重工{i:06d}",
                            code=f"BC-{i:07d}",
                            category=rng.choice(CATEGORIES),
                            source=rng.choice(SOURCES),
                            industry=rng.choice(INDUSTRIES),
                            owner_id=owner.pk,
                            team_id=owner.team_id,
                            registered_on=timezone.localdate(),
                            entered_by_id=owner.pk,
                            is_reviewed=i < reviewed_before,
                            reviewed_by_id=manager_of.get(owner.team_id) if i < reviewed_before else None,
                            reviewed_at=reviewed_at if i < reviewed_before else None,
                        )
                    )
                Customer.objects.bulk_create(batch, batch_size=2000)
                contacts = [
                    Contact(
                        customer=c,
                        name=f"{SURNAMES[(c.pk + j) % len(SURNAMES)]}{['建国', '志强', '海峰'][j]}",
                        title=TITLES[(c.pk + j) % len(TITLES)],
                        owner_id=c.owner_id,
                        influence="decision_maker" if j == 0 else "",
                    )
                    for c in batch
                    for j in range(REFERENCE["contacts_each"])
                ]
                Contact.objects.bulk_create(contacts, batch_size=3000)
            by_customer: dict[int, list[int]] = {}
            for contact in contacts:
                by_customer.setdefault(contact.customer_id, []).append(contact.pk)
            team_of = {r.pk: r.team_id for r in reps}
            buyers += [
                Buyer(
                    c.pk,
                    c.name,
                    c.code,
                    c.category,
                    c.source,
                    Owner(c.owner_id, team_of[c.owner_id]),
                    by_customer[c.pk],
                )
                for c in batch
            ]
            self.say(started, f"customers {min(first + 10_000, n):,}/{n:,}")
        return buyers

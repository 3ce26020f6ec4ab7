import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import Team, User
from contacts import services as contact_services
from contacts.models import Contact, DecisionMakerProfile
from customers import services as customer_services
from customers.models import Customer
from demo import data
from demo.data import DEMO_PASSWORD
from demo.history import load_forecast_snapshots, load_history, load_targets
from demo.projects import load_customer_forms, load_every_paper, load_projects
from forecasting.refresh import backtest_and_refit, refresh_all
from pipeline.models import Project

DECIMAL_FIELDS = {"annual_output", "sales_revenue", "market_share", "cost", "profit", "sales_expense"}


class Command(BaseCommand):
    help = "Load the demo organisation (teams, users, customers, contacts). Safe to run again: keeps existing data."

    @transaction.atomic
    def handle(self, *args, **options):
        # The demo's history is the past: what it tells people waits under their bells; none of it
        # goes out by email.
        with override_settings(MAILERS={}):
            self._load(*args, **options)

    def _load(self, *args, **options):
        teams = [Team.objects.get_or_create(name=t["name"], defaults={"region": t["region"]})[0] for t in data.TEAMS]
        users = {}
        for username, surname, given, role, team_index in data.USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "last_name": surname,
                    "first_name": given,
                    "role": role,
                    "team": teams[team_index] if team_index is not None else None,
                    "email": f"{username}@example.com",
                    "is_staff": role == "admin",
                    "is_superuser": role == "admin",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            users[username] = user

        created_customers = 0
        for i, spec in enumerate(data.CUSTOMERS):
            if Customer.objects.filter(code=spec["code"]).exists():
                continue
            created_customers += 1
            self._create_customer(spec, users, i)
        created_projects = load_projects(users=users)
        load_customer_forms(users=users)
        load_every_paper(users=users)
        history = load_history()
        load_targets()
        load_forecast_snapshots()
        refresh_all()
        backtest_and_refit()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation ready: {len(teams)} teams, {len(users)} users, "
                f"{created_customers} customers, {created_projects} projects and {history} closed past projects added "
                f"({Customer.objects.count()} customers, {Project.objects.count()} projects in all). "
                f"Log in as admin, director, manager, rep, manager2 or rep2 with password {DEMO_PASSWORD}."
            )
        )

    def _create_customer(self, spec, users, index):
        owner = users[spec["owner"]]
        manager = User.objects.filter(team=owner.team, role=User.Role.MANAGER).first()
        fields = {
            k: (Decimal(v) if k in DECIMAL_FIELDS else v)
            for k, v in spec.items()
            if k not in {"owner", "reviewed", "contacts"}
        }
        decision_makers = [c[0] for c in spec["contacts"] if c[2] == "decision_maker"]
        fields.setdefault("key_decision_maker", decision_makers[0] if decision_makers else "")
        fields.setdefault("contact_person", spec["contacts"][-1][0])
        customer = customer_services.customer_create(customer=Customer(owner=owner, **fields), by=owner)

        by_name = {}
        for j, (name, title, influence, boss, has_profile) in enumerate(spec["contacts"]):
            personal = data.PERSONAL[(index + j) % len(data.PERSONAL)]
            contact = Contact(
                customer=customer,
                name=name,
                title=title,
                influence=influence,
                reports_to=by_name.get(boss),
                rapport=["first_contact", "can_talk", "congenial", "excellent"][(index + j) % 4],
                relationship_type="target_customer" if j == 0 else "business_friend",
                relationship_status=["nodding", "regular", "very_close", "not_contacted"][(index + j) % 4],
                phone=f"139{index:02d}{j:02d}{(index * 7 + j * 13) % 10000:04d}",
                email=f"contact{index}{j}@example.cn",
                birthday=datetime.date(1970 + (index + j) % 20, 1 + (index * 3 + j) % 12, 1 + (j * 5) % 28),
                **personal,
            )
            contact = contact_services.contact_create(contact=contact, by=owner)
            by_name[name] = contact
            if has_profile:
                contact_services.decision_maker_profile_save(
                    profile=DecisionMakerProfile(contact=contact, **data.PROFILE), by=owner, changed_fields=[]
                )

        # A later edit, so the change history shows who changed what.
        if spec.get("credit_rating") == "grey":
            customer.anomalies = customer.anomalies or "回款周期明显变长,需跟踪。"
            customer_services.customer_update(customer=customer, by=owner, changed_fields=["anomalies"])
        if spec["reviewed"] and manager is not None:
            customer_services.customer_review(customer=customer, by=manager)

from django.core.management.base import BaseCommand

from catalog.demo import seed_demo
from catalog.demo_data import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "载入演示数据（可重复运行）/ Load the demo alliance (idempotent)."

    def handle(self, *args, **options):
        seed_demo()
        self.stdout.write("演示数据已载入 / demo data loaded. 演示账号 / demo logins:")
        for username, full_name, group, _school, _scopes in USERS:
            self.stdout.write(
                f"  {group:<6} {username:<16} "
                f"密码/password: {DEMO_PASSWORD}  ({full_name})"
            )

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo alliance (`manage.py seed_demo`): the top app, above the site."""

    name = "demo"
    verbose_name = "Demo"

from django.apps import AppConfig


class WeikeConfig(AppConfig):
    """The project package, installed for its templates, locale and checks."""

    name = "weike"
    verbose_name = "Weike"

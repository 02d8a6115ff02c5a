from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Alliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .permissions import register
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        register()

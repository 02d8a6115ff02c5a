from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Alliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from media_pipeline.policy import install_review_policy

        from .permissions import register
        from .review_policy import AllianceReviewPolicy
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
        register()
        install_review_policy(AllianceReviewPolicy())

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Alliance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from media_pipeline.policy import install_review_policy

        from . import selectors
        from .forms import FeaturedCollectionForm
        from .models import FeaturedCollection, SubjectReviewTask
        from .permissions import register
        from .review_policy import AllianceReviewPolicy
        from .signal_handlers import register_signal_handlers

        # The models' rules from the modules that read the models (see there).
        SubjectReviewTask.scope = selectors
        FeaturedCollection.base_form_class = FeaturedCollectionForm

        register_signal_handlers()
        register()
        install_review_policy(AllianceReviewPolicy())

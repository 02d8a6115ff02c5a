"""The site's login: lands each role on its start page (portal/start.py)."""

import unicodedata

from django.contrib.auth import views as auth_views

from .start import start_page


class SiteLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self):
        # Look-alikes (fullwidth ／, ＼) fold to their ASCII forms before
        # Django's host check; a `next` that changes under folding is refused.
        raw = self.request.POST.get(
            self.redirect_field_name, self.request.GET.get(self.redirect_field_name)
        )
        if raw and unicodedata.normalize("NFKC", raw) != raw:
            return ""
        return super().get_redirect_url()

    def get_default_redirect_url(self):
        return start_page(self.request.user)

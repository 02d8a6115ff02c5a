"""Wagtail admin: "copy to next year" for quota rules."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import QuotaRule
from .services import copy_rules_to_year


class CopyToNextYearView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "dashboard/admin/copy_next_year.html"
    header_icon = "copy"
    page_title = _("Copy to next year")
    list_url_name = "wagtailsnippets_dashboard_quotarule:list"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("dashboard.add_quotarule"):
            raise PermissionDenied
        self.rule = get_object_or_404(QuotaRule, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rule"] = self.rule
        context["next_year"] = self.rule.year + 1
        context["year_count"] = QuotaRule.objects.filter(year=self.rule.year).count()
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("scope") == "year":
            rules = QuotaRule.objects.filter(year=self.rule.year)
        else:
            rules = [self.rule]
        created = copy_rules_to_year(rules, self.rule.year + 1)
        messages.success(
            request,
            _("%(n)d quota rule(s) copied to %(year)d.")
            % {"n": len(created), "year": self.rule.year + 1},
        )
        return redirect(self.list_url_name)

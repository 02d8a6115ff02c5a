"""Admin-wide pieces of the Chinese admin that no catalogue can reach."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def relabel_date_picker_button():
    # jquery.datetimepicker writes "Save Selected" in its own code.
    return format_html(
        '<script src="{}" data-save-selected="{}"></script>',
        static("weike/admin-labels.js"),
        _("Save selected"),
    )

from wagtail import hooks

from . import pagecache
from .viewcounts import record_visit


@hooks.register("before_serve_page")
def count_view_and_allow_caching(page, request, serve_args, serve_kwargs):
    # Only GETs of lessons/resources count; previews never reach this hook.
    counted = request.method == "GET" and hasattr(page, "view_count")
    if counted:
        record_visit(request, page.pk)
    # Cache hits are answered by the middleware, which counts them too.
    pagecache.mark(request, page.pk if counted else None)

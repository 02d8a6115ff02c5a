"""`/oai/`: the OAI-PMH 2.0 data provider (GET or form-encoded POST)."""

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from . import oai


@csrf_exempt  # harvesters POST without a session; nothing is changed
def oai_pmh(request):
    if request.method == "GET":
        params = list(request.GET.lists())
    elif request.method == "POST":
        params = list(request.POST.lists())
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    base_url = request.build_absolute_uri(request.path)
    body = oai.respond(params, base_url)
    return HttpResponse(body, content_type="text/xml; charset=utf-8")

"""The JSON API (/api/v1/), one django-ninja instance; OpenAPI at /api/v1/openapi.json.

Each capability contributes a router from its own app.
"""

from ninja import NinjaAPI

api = NinjaAPI(
    title="微课联盟资源库 API / Weike API",
    version="1",
    urls_namespace="api-v1",
)

api.add_router("/lessons/", "search.api.router")
api.add_router("/quotas/", "dashboard.api.quotas_router")
api.add_router("/coverage/", "dashboard.api.coverage_router")

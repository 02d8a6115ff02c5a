"""/api/v1/quotas/ without `year` answers for the current year (the one the
dashboard page shows by default); bad years are JSON 400s in Chinese."""

import pytest
from django.utils import timezone

from dashboard.services import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_quotas_without_year_use_the_current_year(client_for, quota_world):
    client = client_for(quota_world.users["bureau"])
    response = client.get("/api/v1/quotas/")
    assert response.status_code == 200, response.content
    this_year = timezone.now().astimezone(SHANGHAI).year
    assert response.json()["year"] == this_year
    explicit = client.get(f"/api/v1/quotas/?year={this_year}").json()
    assert response.json()["rules"] == explicit["rules"]


@pytest.mark.parametrize(
    "year", ["abc", "99999999999999999999", "1999", "２０２６", "2026%00", "-1"]
)
def test_bad_years_are_json_400_in_chinese(client_for, quota_world, year):
    client = client_for(quota_world.users["bureau"])
    response = client.get(f"/api/v1/quotas/?year={year}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["param"] == "year"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])

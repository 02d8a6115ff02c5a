import pytest

# Each capability keeps its fixtures (and the services they start) in its own file.
pytest_plugins = [
    "tests.fixtures_media",
    "tests.fixtures_search",
    "tests.fixtures_alliance",
    "tests.fixtures_dashboard",
    "tests.fixtures_site",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the taxonomy and the stage/subject page tree once per test session.

    Tests run inside transactions that roll back, so every test starts from
    this state; transactional tests re-seed through the `taxonomy` fixture.
    """
    from catalog.demo import seed_page_tree, seed_taxonomy

    with django_db_blocker.unblock():
        seed_taxonomy()
        seed_page_tree()


@pytest.fixture
def taxonomy(db):
    """Stages, subjects, grades, editions, districts and the stage/subject pages."""
    from catalog.demo import seed_page_tree, seed_taxonomy
    from catalog.models import SubjectPage

    if not SubjectPage.objects.exists():  # flushed by a transactional test
        seed_taxonomy()
        seed_page_tree()


@pytest.fixture
def demo(db):
    """The whole demo alliance, as `make run` loads it."""
    from catalog.demo import seed_demo

    return seed_demo()

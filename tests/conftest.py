import pytest

# Each capability keeps its fixtures (and the services they start) in its own file.
pytest_plugins = [
    "tests.fixtures_media",
    "tests.fixtures_search",
    "tests.fixtures_alliance",
    "tests.fixtures_dashboard",
    "tests.fixtures_site",
    "tests.fixtures_prod",
]

# A test that asks for one of these (itself or through its fixtures) reaches
# the test database. (Not django_db_blocker: pytest-django's autouse fixtures
# ask for it on every test.)
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}
# A test that starts one of these runs a production service (S3 server, Redis,
# Celery workers, nginx, gunicorn). Production runs them on PostgreSQL and the
# embedded SQLite mode never meets them, so `make test` runs such a test in its
# PostgreSQL pass only, as it does a test marked `postgresql_pass` (one whose
# subject, such as ffmpeg's output, does not depend on the database at all).
# A test marked `sqlite_pass` (its subject is the embedded mode: make run's
# demo) runs in the SQLite pass only.
PRODUCTION_FIXTURES = {"moto_server", "redis_server", "nginx_site", "gunicorn_hosts"}


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that reach the test database (the second, "
        "PostgreSQL pass of make test: the others would repeat themselves), "
        "and those the first pass left out (--embedded-pass)",
    )
    parser.addoption(
        "--embedded-pass",
        action="store_true",
        help="leave out the tests that start a production service or are "
        "marked postgresql_pass (the first, SQLite pass of make test: the "
        "PostgreSQL pass runs them)",
    )


def postgresql_pass_only(item) -> bool:
    return bool(
        item.get_closest_marker("postgresql_pass")
        or PRODUCTION_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def reaches_database(item) -> bool:
    return bool(
        item.get_closest_marker("django_db")
        or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def in_postgresql_pass(item) -> bool:
    return (
        reaches_database(item) or postgresql_pass_only(item)
    ) and not item.get_closest_marker("sqlite_pass")


def in_sqlite_pass(item) -> bool:
    return not postgresql_pass_only(item)


# Files whose tests take minutes in all (seconds of `--durations` in a full
# run), slowest first. `make test` gives a worker a whole file at a time and
# runs these before the rest (scripts/run-tests.sh: --no-loadscope-reorder):
# xdist's own order, by number of tests, put these one- and two-test files
# last, so one worker ran them for minutes while the others were done.
SLOW_FILES = (
    "tests/test_demo_media.py",
    "tests/test_prod_stack.py",
    "tests/browser/test_journeys_browser.py",
    "tests/test_search_relevance_catalog.py",
    "tests/test_ingest_library.py",
    # Two benchmark processes, each migrating its own database (≈ 70 s each).
    "tests/test_bench_smoke.py",
    "tests/test_media_corpus.py",
    "tests/security/test_api_schemathesis.py",
    "tests/browser/test_dashboard_gaps_browser.py",
    "tests/test_schema_cache.py",
    "tests/browser/test_csp_browser.py",
    "tests/browser/test_site_browser.py",
    "tests/test_faults_queue.py",
    "tests/test_media_transcode.py",
    "tests/test_suite_passes.py",
)


def pytest_collection_modifyitems(config, items):
    if config.getoption("database_tests_only"):
        wanted = in_postgresql_pass
    elif config.getoption("embedded_pass"):
        wanted = in_sqlite_pass
    else:
        wanted = None
    if wanted is not None:
        kept = [item for item in items if wanted(item)]
        dropped = [item for item in items if not wanted(item)]
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    items[:] = slow_files_first(items)


def slow_files_first(items: list) -> list:
    """SLOW_FILES in their order, then the other files by number of tests
    (most first, as xdist orders them); a file's tests keep their order."""
    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)

    def rank(path: str) -> tuple[int, int]:
        if path in SLOW_FILES:
            return (SLOW_FILES.index(path), 0)
        return (len(SLOW_FILES), -len(by_file[path]))

    return [item for path in sorted(by_file, key=rank) for item in by_file[path]]


@pytest.fixture(scope="session")
def django_db_keepdb(django_db_keepdb, django_db_modify_db_settings, django_db_blocker):
    """Start the test database from the migrated schema another worker (or an
    earlier run) made, when there is one (tests/database_templates.py): then
    pytest-django keeps the filled database instead of creating it."""
    from tests import database_templates

    with django_db_blocker.unblock():
        return database_templates.prepare() or django_db_keepdb


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the taxonomy and the stage/subject page tree once per test session.

    Tests run inside transactions that roll back, so every test starts from
    this state; transactional tests re-seed through the `taxonomy` fixture.
    """
    from catalog.seeding import seed_page_tree, seed_taxonomy
    from tests import database_templates

    with django_db_blocker.unblock():
        database_templates.finish()  # the schema made here, for the others
        seed_taxonomy()
        seed_page_tree()


def restore_seed():
    """Put back what migrations and the session seed made, after a flush.

    A transactional test (live server, worker subprocess) ends with a flush
    that empties every table, including rows data migrations created: Wagtail's
    root page, locale and root collection, and alliance's groups, rubric and
    workflow. Every later test expects them, so they are restored here.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page

    from catalog.seeding import seed_page_tree, seed_taxonomy
    from tests.fixtures_site import restore_alliance_roles, wagtail_defaults_migration

    wagtail_roots = wagtail_defaults_migration()
    locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name=wagtail_roots.ROOT_COLLECTION)
    if Page.get_first_root_node() is None:
        Page.add_root(
            instance=Page(
                title=wagtail_roots.ROOT_PAGE,
                slug="root",
                locale=locale,
                content_type=ContentType.objects.get_for_model(Page),
            )
        )
    restore_alliance_roles()
    seed_taxonomy()
    seed_page_tree()
    restore_search_synonyms()


def restore_search_synonyms():
    """The synonym table its data migration seeds (search 0002)."""
    import importlib

    from django.apps import apps

    from search.models import SearchSynonym
    from search.synonyms import forget

    if not SearchSynonym.objects.exists():
        migration = importlib.import_module("search.migrations.0002_search_synonyms")
        migration.seed(apps, None)
    forget()


@pytest.fixture
def _restore_seed_after_flush(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        restore_seed()


@pytest.fixture
def transactional_db(_restore_seed_after_flush, transactional_db):
    """pytest-django's fixture, plus the restore after its closing flush (our
    fixture is set up first, so its teardown runs after the flush)."""
    return transactional_db


@pytest.fixture
def taxonomy(db):
    """Stages, subjects, grades, editions, districts and the stage/subject pages."""
    from catalog.models import SubjectPage
    from catalog.seeding import seed_page_tree, seed_taxonomy

    if not SubjectPage.objects.exists():  # flushed by a transactional test
        seed_taxonomy()
        seed_page_tree()


@pytest.fixture(scope="module")
def _module_demo(django_db_setup, django_db_blocker):
    """The demo, seeded once per test module (seeding is the slowest fixture
    there is) inside a transaction that is rolled back after the module's last
    test. Each test's own transaction is a savepoint inside it, so whatever a
    test changes is undone before the next one. A test of the same module that
    runs after the first demo test sees the demo too, whether it asks or not."""
    from demo.seeding import seed_demo

    yield from loaded_for_module(django_db_blocker, seed_demo)


def loaded_for_module(django_db_blocker, load):
    """The body of a module-scoped data fixture: yields what `load()` returns,
    run inside a transaction that is rolled back after the module."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        loaded = load()
    yield loaded
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(_module_demo, db):
    """The whole demo alliance, as `make run` loads it, behind an empty cache:
    a page another module cached from its own copy of the demo (a lesson
    approved there, then rolled back) must not be served here."""
    from django.core.cache import cache

    cache.clear()
    return _module_demo


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """Every test starts in the site's language: a request or a test that
    activates English must not leave it active for the next test on the
    same worker (lazy labels are translated when read)."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_search_vocabulary():
    """The "did you mean" vocabulary and the facet labels are cached per
    process; each test reads its own catalog, not the one an earlier test on
    this worker left."""
    from search import did_you_mean, facet_labels

    did_you_mean.forget()
    facet_labels.forget_here()

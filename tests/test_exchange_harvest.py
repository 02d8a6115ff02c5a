"""harvest_oai: incremental harvest of a tiny static OAI-PMH/LOM server."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from exchange.models import HarvestedRecord, HarvestSource, TaxonomyMapping
from tests.factories import KnowledgePointFactory

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    "<responseDate>{date}</responseDate><request>http://x/oai</request>"
)


def lom(title, stage, subject, point, ctype="微课", location="{HOST}/v/1.mp4"):
    return (
        '<lom xmlns="http://ltsc.ieee.org/xsd/LOM"><general><title>'
        f'<string language="zh">{title}</string></title></general>'
        f"<technical><location>{location}</location></technical>"
        "<educational><learningResourceType><source>CELTS-42</source>"
        f"<value>{ctype}</value></learningResourceType></educational>"
        "<classification><purpose><source>LOMv1.0</source><value>educational level"
        f"</value></purpose><taxonPath><taxon><id>{stage}</id></taxon></taxonPath>"
        "</classification><classification><purpose><source>LOMv1.0</source>"
        "<value>discipline</value></purpose><taxonPath><taxon>"
        f"<id>{subject}</id></taxon></taxonPath></classification>"
        "<classification><purpose><source>LOMv1.0</source><value>idea</value>"
        f"</purpose><taxonPath><taxon><id>{point}</id></taxon></taxonPath>"
        "</classification></lom>"
    )


def record(identifier, body, deleted=False):
    status = ' status="deleted"' if deleted else ""
    meta = "" if deleted else f"<metadata>{body}</metadata>"
    return (
        f"<record><header{status}><identifier>{identifier}</identifier>"
        f"<datestamp>2026-11-01T00:00:00Z</datestamp></header>{meta}</record>"
    )


PAGE1 = (
    HEAD.format(date="2026-12-01T08:00:00Z")
    + "<ListRecords>"
    + record("oai:prov:1", lom("勾股定理", "czjd", "shuxue", "P-01"))
    + record("oai:prov:2", lom("未知知识点", "junior", "maths", "NOPE"))
    + '<resumptionToken completeListSize="5" cursor="0">p2</resumptionToken>'
    + "</ListRecords></OAI-PMH>"
)
PAGE2 = (
    HEAD.format(date="2026-12-01T08:00:01Z")
    + "<ListRecords>"
    + record(
        "oai:prov:3",
        lom("本地链接", "junior", "maths", "P-01", "课件", "file:///etc/passwd"),
    )
    + record("oai:prov:4", "", deleted=True)
    + record(
        "oai:prov:5",
        lom(
            "别处",
            "junior",
            "maths",
            "P-01",
            location="https://elsewhere.example/x.mp4",
        ),
    )
    + '<resumptionToken completeListSize="5" cursor="2"></resumptionToken>'
    + "</ListRecords></OAI-PMH>"
)
NOTHING = (
    HEAD.format(date="2026-12-02T08:00:00Z")
    + '<error code="noRecordsMatch">none</error></OAI-PMH>'
)


@pytest.fixture
def static_oai(media_clips):
    queries = []
    clip = media_clips("tiny").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/v/1.mp4"):
                return self._send(clip, "video/mp4")
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            queries.append(query)
            if "from" in query:
                body = NOTHING
            elif query.get("resumptionToken") == "p2":
                body = PAGE2
            else:
                body = PAGE1
            host = f"http://127.0.0.1:{self.server.server_port}"
            self._send(body.replace("{HOST}", host).encode(), "text/xml")

        def _send(self, data, kind):
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/oai", queries
    server.shutdown()
    server.server_close()


def test_incremental_harvest_maps_and_queues(db, static_oai):
    url, queries = static_oai
    KnowledgePointFactory(code="P-01", name="勾股定理")
    source = HarvestSource.objects.create(name="province", base_url=url)
    TaxonomyMapping.objects.create(
        source=source, kind="stage", remote="czjd", local="junior"
    )
    TaxonomyMapping.objects.create(kind="subject", remote="shuxue", local="maths")

    call_command("harvest_oai", "province")
    records = {r.identifier: r for r in HarvestedRecord.objects.all()}
    assert set(records) == {f"oai:prov:{n}" for n in range(1, 6)}
    first = records["oai:prov:1"]
    assert first.status == "queued"
    assert first.metadata == {
        "stage": "junior",
        "subject": "maths",
        "knowledge_points": ["P-01"],
        "resource_type": "micro_lesson",
    }
    assert first.media_url == url.replace("/oai", "/v/1.mp4")
    assert records["oai:prov:2"].status == "unmapped"
    assert records["oai:prov:2"].problems == ["knowledge_point: NOPE"]
    local_link = records["oai:prov:3"]
    assert local_link.media_url == "" and local_link.status == "unmapped"
    assert local_link.metadata["resource_type"] == "courseware"
    assert records["oai:prov:4"].status == "deleted"
    source.refresh_from_db()
    assert source.last_harvested == "2026-12-01T08:00:00Z"

    # The next harvest asks only for what changed since, and creates nothing.
    call_command("harvest_oai", "province")
    assert queries[-1]["from"] == "2026-12-01T08:00:00Z"
    assert HarvestedRecord.objects.count() == 5


def test_queued_media_becomes_a_draft_through_the_import_path(db, static_oai, settings):
    from catalog.models import LessonPage
    from tests.factories import UserFactory

    settings.MEDIA_VALIDATION = {"MIN_DURATION": 1.0, "MIN_LINES": 240}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    url, _queries = static_oai
    KnowledgePointFactory(code="P-01", name="勾股定理")
    UserFactory(username="importer")
    HarvestSource.objects.create(name="province", base_url=url)
    TaxonomyMapping.objects.create(kind="stage", remote="czjd", local="junior")
    TaxonomyMapping.objects.create(kind="subject", remote="shuxue", local="maths")
    out = StringIO()
    call_command("harvest_oai", "province", "--fetch-as", "importer", stdout=out)
    lesson = LessonPage.objects.get()
    assert lesson.title == "勾股定理" and not lesson.live
    assert [kp.code for kp in lesson.knowledge_points.all()] == ["P-01"]
    assert lesson.owner.username == "importer"
    assert "oai:prov:5: media not on the source's host" in out.getvalue()
    # Fetching again creates nothing (the import manifest).
    call_command("harvest_oai", "province", "--fetch-as", "importer", stdout=StringIO())
    assert LessonPage.objects.count() == 1

"""/oai/: the OAI-PMH 2.0 data provider, harvested over real HTTP with
oaipmh-scythe, every response validated against the schemas (lxml)."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree
from oaipmh_scythe import Scythe
from oaipmh_scythe.iterator import OAIResponseIterator
from wagtail.models import PageViewRestriction

from catalog.models import CatalogEntryPage
from exchange.models import ExposedEntry
from exchange.schemas import response_schema
from tests.exchange_data import (
    draft_lesson,
    knowledge_chain,
    published_lesson,
    published_resource,
)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
LOM = "{http://ltsc.ieee.org/xsd/LOM}"
DC = "{http://purl.org/dc/elements/1.1/}"


def ident(page_id: int) -> str:
    return f"oai:weike.local:entry/{page_id}"


def valid(xml: bytes | etree._Element) -> etree._Element:
    doc = etree.fromstring(xml) if isinstance(xml, bytes) else xml
    schema = response_schema()
    assert schema.validate(doc), schema.error_log
    return doc


def oai_get(client, **params) -> etree._Element:
    response = client.get("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return valid(response.content)


def error_code(doc) -> str | None:
    error = doc.find(f"{OAI}error")
    return error.get("code") if error is not None else None


def build_library(settings, committed):
    """7 published entries, drafts, private ones, a withdrawn and a deleted one.

    `committed()` wraps each change the way a request's transaction would,
    so `entry_changed` sees each state in turn.
    """
    settings.WEIKE_OAI_PAGE_SIZE = 3
    _root, leaf = knowledge_chain()
    with committed():
        lessons = [published_lesson(knowledge_points=[leaf]) for _ in range(4)]
        lessons += [published_lesson(subject="physics") for _ in range(2)]
        resources = [published_resource()]
        withdrawn = published_lesson(title="撤下的微课")
        deleted = published_lesson(title="删除的微课")
        restricted = published_lesson(title="后来设为仅限本校")
        drafts = [draft_lesson()]
        private = draft_lesson(title="仅限本校")
    with committed():
        withdrawn.unpublish()
    deleted_id = deleted.pk
    with committed():
        deleted.delete()
    # Private from the start: restricted, then published.
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    with committed():
        private.save_revision().publish()
    # Made private after it was published: harvesters are told it is gone.
    PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.LOGIN
    )
    return {
        "published": lessons + resources,
        "withdrawn": withdrawn,
        "restricted": restricted,
        "deleted_id": deleted_id,
        "hidden": drafts + [private],
        "leaf": leaf,
    }


@pytest.fixture
def library(db, settings, django_capture_on_commit_callbacks):
    return build_library(
        settings, lambda: django_capture_on_commit_callbacks(execute=True)
    )


@pytest.fixture
def live_library(transactional_db, settings):
    return build_library(settings, contextlib.nullcontext)


def harvest(url, verb="list_records", **kwargs):
    with Scythe(url + "/oai/", iterator=OAIResponseIterator) as scythe:
        return list(getattr(scythe, verb)(**kwargs))


@pytest.mark.parametrize("prefix", ["oai_dc", "lom"])
def test_harvest_gets_every_published_entry_once_with_deletions(
    live_server, live_library, prefix
):
    library = live_library
    responses = harvest(live_server.url, metadata_prefix=prefix)
    # 7 published + 3 deleted in pages of 3: four responses.
    assert len(responses) == 4
    seen, deleted = [], []
    for response in responses:
        doc = valid(response.xml)
        for header in doc.iter(f"{OAI}header"):
            identifier = header.findtext(f"{OAI}identifier")
            (deleted if header.get("status") == "deleted" else seen).append(identifier)
    assert sorted(seen) == sorted(ident(p.pk) for p in library["published"])
    assert len(seen) == len(set(seen))
    assert sorted(deleted) == sorted(
        ident(p)
        for p in (
            library["withdrawn"].pk,
            library["deleted_id"],
            library["restricted"].pk,
        )
    )
    for hidden in library["hidden"]:
        assert ident(hidden.pk) not in seen + deleted
    last = responses[-1].xml.find(f".//{OAI}resumptionToken")
    assert last is not None and not (last.text or "").strip()
    assert last.get("completeListSize") == "10"


def test_identify_sets_and_harvest_by_set_and_date(client, live_server, live_library):
    library = live_library
    with Scythe(live_server.url + "/oai/") as scythe:
        identify = scythe.identify()
        assert identify.deletedRecord == "persistent"
        assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
        assert identify.protocolVersion == "2.0"
        specs = {s.setSpec for s in scythe.list_sets()}
        prefixes = {f.metadataPrefix for f in scythe.list_metadata_formats()}
    assert {"stage:junior", "stage:junior:subject:maths"} <= specs
    assert prefixes == {"oai_dc", "lom"}
    for verb in ("Identify", "ListSets", "ListMetadataFormats"):
        oai_get(client, verb=verb)

    physics = harvest(
        live_server.url, "list_identifiers", set_="stage:junior:subject:physics"
    )
    ids = [
        h.findtext(f"{OAI}identifier")
        for r in physics
        for h in r.xml.iter(f"{OAI}header")
    ]
    expected = [p for p in library["published"] if p.subject.code == "physics"]
    assert sorted(ids) == sorted(ident(p.pk) for p in expected)

    # Move three records into the past: a harvest from yesterday skips them.
    old = library["published"][:3]
    ExposedEntry.objects.filter(page_id__in=[p.pk for p in old]).update(
        datestamp=timezone.now() - timedelta(days=10)
    )
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = harvest(live_server.url, "list_identifiers", from_=since)
    ids = {
        h.findtext(f"{OAI}identifier")
        for r in recent
        for h in r.xml.iter(f"{OAI}header")
    }
    assert not ids & {ident(p.pk) for p in old}
    assert ident(library["published"][3].pk) in ids
    until = (timezone.now() - timedelta(days=5)).strftime("%Y-%m-%d")
    early = harvest(live_server.url, "list_identifiers", until=until)
    ids = {
        h.findtext(f"{OAI}identifier")
        for r in early
        for h in r.xml.iter(f"{OAI}header")
    }
    assert ids == {ident(p.pk) for p in old}


def test_lom_record_maps_the_celts_elements(client, library):
    lesson = library["published"][0]
    doc = oai_get(
        client, verb="GetRecord", identifier=ident(lesson.pk), metadataPrefix="lom"
    )
    lom = doc.find(f".//{LOM}lom")
    assert lom.findtext(f"{LOM}general/{LOM}title/{LOM}string") == lesson.title
    assert lom.findtext(f"{LOM}general/{LOM}language") == "zh"
    assert lom.findtext(f"{LOM}technical/{LOM}format") == "video/mp4"
    assert lom.findtext(f"{LOM}technical/{LOM}duration/{LOM}duration") == "PT7M32S"
    purposes = {
        c.findtext(f"{LOM}purpose/{LOM}value"): c
        for c in lom.findall(f"{LOM}classification")
    }
    level = [
        t.findtext(f"{LOM}id")
        for t in purposes["educational level"].iter(f"{LOM}taxon")
    ]
    assert level == ["junior", "g8"]
    assert [t.findtext(f"{LOM}id") for t in purposes["idea"].iter(f"{LOM}taxon")] == [
        "MJ-EX",
        "MJ-EX-01",
    ]
    assert purposes["discipline"].find(f".//{LOM}taxon/{LOM}id").text == "maths"
    types = {
        v.findtext(f"{LOM}source"): v.findtext(f"{LOM}value")
        for v in lom.iter(f"{LOM}learningResourceType")
    }
    assert types == {"LOMv1.0": "lecture", "CELTS-42": "微课"}
    entity = lom.findtext(f".//{LOM}contribute/{LOM}entity")
    assert entity.startswith("BEGIN:VCARD") and "FN:" in entity
    assert lom.findtext(f"{LOM}rights/{LOM}description/{LOM}string")

    dc = oai_get(
        client, verb="GetRecord", identifier=ident(lesson.pk), metadataPrefix="oai_dc"
    )
    subjects = [s.text for s in dc.iter(f"{DC}subject")]
    assert subjects[:3] == ["初中", "数学", "八年级"] and "二次函数的图像" in subjects
    assert [t.text for t in dc.iter(f"{DC}type")] == ["MovingImage", "微课"]
    assert dc.findtext(f".//{DC}language") == "zh"


def test_get_record_of_withdrawn_and_hidden_entries(client, library):
    doc = oai_get(
        client,
        verb="GetRecord",
        identifier=ident(library["withdrawn"].pk),
        metadataPrefix="lom",
    )
    header = doc.find(f".//{OAI}header")
    assert header.get("status") == "deleted"
    assert doc.find(f".//{OAI}metadata") is None
    assert [s.text for s in header.iter(f"{OAI}setSpec")] == [
        "stage:junior",
        "stage:junior:subject:maths",
    ]
    deleted = oai_get(
        client,
        verb="GetRecord",
        identifier=ident(library["deleted_id"]),
        metadataPrefix="oai_dc",
    )
    assert deleted.find(f".//{OAI}header").get("status") == "deleted"
    for hidden in library["hidden"]:
        doc = oai_get(
            client,
            verb="GetRecord",
            identifier=ident(hidden.pk),
            metadataPrefix="oai_dc",
        )
        assert error_code(doc) == "idDoesNotExist"


def test_republished_entry_is_live_again(
    client, library, django_capture_on_commit_callbacks
):
    page = library["withdrawn"]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    doc = oai_get(
        client, verb="GetRecord", identifier=ident(page.pk), metadataPrefix="oai_dc"
    )
    assert doc.find(f".//{OAI}header").get("status") is None


def test_deleted_draft_leaves_no_tombstone(db, django_capture_on_commit_callbacks):
    draft = draft_lesson()
    draft_id = draft.pk
    with django_capture_on_commit_callbacks(execute=True):
        draft.delete()
    assert not ExposedEntry.objects.filter(page_id=draft_id).exists()
    assert not CatalogEntryPage.objects.filter(pk=draft_id).exists()


# --- Errors and hostile input -------------------------------------------------------


@pytest.mark.parametrize(
    "query,code",
    [
        ({}, "badVerb"),
        ({"verb": "Frobnicate"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "identify"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["lom", "lom"]}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "lom", "from": "2026-13-01"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "lom", "from": "２０２６-01-01"},
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "lom",
                "from": "2026-01-01T00:00:00",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "lom",
                "from": "2026-01-01",
                "until": "2026-01-02T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "lom",
                "from": "2026-02-01",
                "until": "2026-01-01",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "../etc"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "stage:mars"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "lom", "from": "2999-01-01"},
            "noRecordsMatch",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "marc21"},
            "cannotDisseminateFormat",
        ),
        ({"verb": "ListIdentifiers", "metadataPrefix": "x" * 5000}, "badArgument"),
        (
            {"verb": "ListRecords", "resumptionToken": "abc", "metadataPrefix": "lom"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "not-a-token"},
            "badResumptionToken",
        ),
        (
            {"verb": "ListRecords", "resumptionToken": "x" * 100_000},
            "badResumptionToken",
        ),
        ({"verb": "ListSets", "resumptionToken": "abc"}, "badResumptionToken"),
        ({"verb": "GetRecord", "identifier": "oai:weike.local:entry/1"}, "badArgument"),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:weike.local:entry/1",
                "metadataPrefix": "mods",
            },
            "cannotDisseminateFormat",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:other.org:entry/1",
                "metadataPrefix": "lom",
            },
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:weike.local:entry/%2e%2e",
                "metadataPrefix": "lom",
            },
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:weike.local:entry/１",
                "metadataPrefix": "lom",
            },
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:weike.local:entry/" + "9" * 40,
                "metadataPrefix": "lom",
            },
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": "oai:weike.local:entry/1\x00",
                "metadataPrefix": "lom",
            },
            "idDoesNotExist",
        ),
        (
            {
                "verb": "ListMetadataFormats",
                "identifier": "oai:weike.local:entry/999999",
            },
            "idDoesNotExist",
        ),
    ],
)
def test_errors(client, db, query, code):
    doc = oai_get(client, **query)
    assert error_code(doc) == code
    request = doc.find(f"{OAI}request")
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}


def test_post_is_answered_like_get(client, db):
    response = client.post("/oai/", {"verb": "Identify"})
    doc = valid(response.content)
    assert doc.find(f"{OAI}Identify") is not None
    assert client.put("/oai/").status_code == 405


def test_tampered_and_foreign_tokens_are_refused(client, library):
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext(f".//{OAI}resumptionToken")
    assert token
    assert (
        error_code(oai_get(client, verb="ListIdentifiers", resumptionToken=token))
        is None
    )
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, token + "x", token.replace(":", "%3A")):
        doc = oai_get(client, verb="ListIdentifiers", resumptionToken=bad)
        assert error_code(doc) == "badResumptionToken"
    # A ListIdentifiers token does not continue a ListRecords list.
    doc = oai_get(client, verb="ListRecords", resumptionToken=token)
    assert error_code(doc) == "badResumptionToken"


def test_expired_token_is_refused(client, library, settings):
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext(f".//{OAI}resumptionToken")
    settings.WEIKE_OAI_TOKEN_SECONDS = -1
    doc = oai_get(client, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(doc) == "badResumptionToken"


def test_datestamps_are_utc_seconds(client, library):
    doc = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    stamps = [d.text for d in doc.iter(f"{OAI}datestamp")]
    assert stamps and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) for s in stamps
    )

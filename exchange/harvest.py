"""Harvest LOM records from another OAI-PMH repository, incrementally.

Each harvest asks `from` the responseDate of the previous one, maps the
remote stage, subject, grade, knowledge points and resource type to our
taxonomy (an editable `TaxonomyMapping`, else a local code, else a local
name) and queues each record with the URL of its media (`HarvestedRecord`,
status queued), the way a bulk import queues rows. Deleted records are marked
deleted. Only http(s) media URLs are kept.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from lxml import etree
from oaipmh_scythe import Scythe
from oaipmh_scythe.exceptions import NoRecordsMatch
from oaipmh_scythe.iterator import OAIResponseIterator

from catalog.models import Grade, KnowledgePoint, ResourceType, Stage, Subject

from .models import HarvestedRecord, HarvestStatus, MappingKind, TaxonomyMapping
from .records import CELTS_VOCAB, LOM_NS, RESOURCE_TYPES, xml_text

OAI = "{http://www.openarchives.org/OAI/2.0/}"
L = f"{{{LOM_NS}}}"
LOCAL_MODELS = {
    MappingKind.STAGE: Stage,
    MappingKind.SUBJECT: Subject,
    MappingKind.GRADE: Grade,
    MappingKind.KNOWLEDGE_POINT: KnowledgePoint,
}
CELTS_TYPES = {celts: rtype for rtype, (_l, celts, _d) in RESOURCE_TYPES.items()}


def _text(node, path) -> str:
    return xml_text(node.findtext(path) or "").strip() if node is not None else ""


def _taxa(lom, purpose) -> list[list[tuple[str, str]]]:
    paths = []
    for classification in lom.findall(f"{L}classification"):
        if _text(classification, f"{L}purpose/{L}value") != purpose:
            continue
        for path in classification.findall(f"{L}taxonPath"):
            paths.append(
                [
                    (_text(t, f"{L}id"), _text(t, f"{L}entry/{L}string"))
                    for t in path.findall(f"{L}taxon")
                ]
            )
    return paths


def read_lom(lom) -> dict:
    """The remote terms of one LOM record."""
    levels = (_taxa(lom, "educational level") or [[]])[0]
    disciplines = _taxa(lom, "discipline")
    types = {
        _text(v, f"{L}source"): _text(v, f"{L}value")
        for v in lom.iter(f"{L}learningResourceType")
    }
    return {
        "title": _text(lom, f"{L}general/{L}title/{L}string")[:255],
        "stage": levels[0] if levels else ("", ""),
        "grade": levels[1] if len(levels) > 1 else ("", ""),
        "subject": disciplines[0][0] if disciplines and disciplines[0] else ("", ""),
        "knowledge_points": [path[-1] for path in _taxa(lom, "idea") if path],
        "resource_type": types.get(CELTS_VOCAB, ""),
        "location": _text(lom, f"{L}technical/{L}location"),
    }


class Mapper:
    def __init__(self, source):
        self.table = {}
        rows = TaxonomyMapping.objects.filter(Q(source=source) | Q(source__isnull=True))
        for row in rows:
            key = (row.kind, row.remote)
            if row.source_id or key not in self.table:
                self.table[key] = row.local

    def local(self, kind, term: tuple[str, str]) -> str | None:
        remote_id, remote_name = term
        for remote in (remote_id, remote_name):
            if remote and (kind, remote) in self.table:
                return self.table[(kind, remote)]
        if kind == MappingKind.RESOURCE_TYPE:
            return CELTS_TYPES.get(remote_name) or (
                remote_name if remote_name in ResourceType.values else None
            )
        model = LOCAL_MODELS[kind]
        if remote_id and model.objects.filter(code=remote_id).exists():
            return remote_id
        found = model.objects.filter(name=remote_name).first() if remote_name else None
        return found.code if found else None


def _map(terms: dict, mapper: Mapper) -> tuple[dict, list[str]]:
    mapped, problems = {}, []
    for kind in (MappingKind.STAGE, MappingKind.SUBJECT, MappingKind.GRADE):
        term = terms[kind]
        if not any(term):
            continue
        mapped[kind] = mapper.local(kind, term)
        if mapped[kind] is None:
            problems.append(f"{kind}: {term[0] or term[1]}")
    points = []
    for term in terms["knowledge_points"]:
        code = mapper.local(MappingKind.KNOWLEDGE_POINT, term)
        if code is None:
            problems.append(f"knowledge_point: {term[0] or term[1]}")
        else:
            points.append(code)
    mapped["knowledge_points"] = points
    rtype = mapper.local(MappingKind.RESOURCE_TYPE, ("", terms["resource_type"]))
    mapped["resource_type"] = rtype or ResourceType.MICRO_LESSON
    return mapped, problems


def _media_url(location: str) -> str:
    parts = urlsplit(location)
    ok = parts.scheme in ("http", "https") and parts.hostname and len(location) <= 1000
    return location if ok else ""


def harvest(source) -> dict:
    """Harvest `source` from its last datestamp; counts of what happened."""
    mapper = Mapper(source)
    counts = {"queued": 0, "unmapped": 0, "deleted": 0}
    query = {"metadata_prefix": source.metadata_prefix}
    if source.last_harvested:
        query["from_"] = source.last_harvested
    if source.set_spec:
        query["set_"] = source.set_spec
    started = None
    with Scythe(source.base_url, iterator=OAIResponseIterator) as scythe:
        try:
            for response in scythe.list_records(**query):
                root = response.xml
                started = started or root.findtext(f"{OAI}responseDate")
                for record in root.iter(f"{OAI}record"):
                    outcome = _store(source, record, mapper)
                    counts[outcome] += 1
        except NoRecordsMatch:
            pass
    if started:
        source.last_harvested = started[:20]
        source.save(update_fields=["last_harvested"])
    return counts


@transaction.atomic
def _store(source, record, mapper) -> str:
    header = record.find(f"{OAI}header")
    identifier = _text(header, f"{OAI}identifier")[:300]
    datestamp = _text(header, f"{OAI}datestamp")[:20]
    if header.get("status") == "deleted":
        HarvestedRecord.objects.update_or_create(
            source=source,
            identifier=identifier,
            defaults={"datestamp": datestamp, "status": HarvestStatus.DELETED},
        )
        return "deleted"
    lom = record.find(f"{OAI}metadata/{L}lom")
    terms = read_lom(lom if lom is not None else etree.Element("empty"))
    mapped, problems = _map(terms, mapper)
    media = _media_url(terms["location"])
    if terms["location"] and not media:
        problems.append("location: not an http(s) URL")
    status = HarvestStatus.UNMAPPED if problems else HarvestStatus.QUEUED
    HarvestedRecord.objects.update_or_create(
        source=source,
        identifier=identifier,
        defaults={
            "datestamp": datestamp,
            "status": status,
            "title": terms["title"],
            "metadata": mapped,
            "problems": problems,
            "media_url": media,
        },
    )
    return "unmapped" if problems else "queued"

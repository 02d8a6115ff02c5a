"""An entry as a metadata record: Dublin Core (oai_dc) and IEEE LOM.

The LOM record follows the LOM XML binding with the Chinese basic-education
elements of CELTS-42 mapped as docs/exchange.md ("Field mapping") lists:
stage and grade as an educational-level classification, subject and textbook
edition as a discipline classification, knowledge points as an idea
classification (their codes as taxon ids), the resource type in both the LOM
and the CELTS-42 vocabulary. Records are written in Chinese whatever the
request's language.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field

from django.utils import translation
from lxml import etree

from catalog.knowledge_paths import path_ids
from catalog.models import KnowledgePoint, LessonPage, ResourceType

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
LOM_SCHEMA = "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
LANGUAGE = "zh"
LOM_VOCAB = "LOMv1.0"
CELTS_VOCAB = "CELTS-42"

# (LOM learningResourceType, CELTS-42 资源类型, DCMI type) per resource type.
RESOURCE_TYPES = {
    ResourceType.MICRO_LESSON: ("lecture", "微课", "MovingImage"),
    ResourceType.COURSEWARE: ("slide", "课件", "Text"),
    ResourceType.LESSON_PLAN: ("narrative text", "教案", "Text"),
    ResourceType.STUDY_GUIDE: ("narrative text", "学案", "Text"),
    ResourceType.EXERCISES: ("exercise", "试题", "Text"),
    ResourceType.GAME_EXAMPLE: ("simulation", "案例", "InteractiveResource"),
}

# Characters XML 1.0 cannot carry (lxml refuses them): never in a record.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value) -> str:
    return _NOT_XML.sub("", str(value or ""))


@dataclass
class EntryFacts:
    """Everything a record says about one entry, read in bulk for a page."""

    entry: object
    identifier: str
    url: str
    knowledge_points: list = field(default_factory=list)  # [(point, ancestors)]
    video: object = None
    documents: list = field(default_factory=list)


def load_facts(entries, identifier_for) -> list[EntryFacts]:
    """Facts of `entries` (CatalogEntryPage rows) with a few queries."""
    entries = list(entries)
    ids = [e.pk for e in entries]
    videos = dict(
        LessonPage.objects.filter(pk__in=ids)
        .select_related("video")
        .values_list("pk", "video")
    )
    video_rows = {
        v.pk: v
        for v in LessonPage._meta.get_field("video").related_model.objects.filter(
            pk__in=[v for v in videos.values() if v]
        )
    }
    points_by_entry = {}
    wanted = set()
    through = entries[0].knowledge_points.through if entries else None
    links = (
        through.objects.filter(catalogentrypage_id__in=ids).select_related(
            "knowledgepoint"
        )
        if through
        else []
    )
    for link in links:
        point = link.knowledgepoint
        points_by_entry.setdefault(link.catalogentrypage_id, []).append(point)
        wanted.update(path_ids(point.path))
    ancestors = KnowledgePoint.objects.in_bulk(wanted)
    facts = []
    for entry in entries:
        points = sorted(points_by_entry.get(entry.pk, []), key=lambda p: p.code)
        facts.append(
            EntryFacts(
                entry=entry,
                identifier=identifier_for(entry.pk),
                url=entry.get_full_url() or "",
                knowledge_points=[
                    (p, [ancestors[i] for i in path_ids(p.path) if i in ancestors])
                    for p in points
                ],
                video=video_rows.get(videos.get(entry.pk)),
                documents=[a.document for a in entry.attachments.all()],
            )
        )
    return facts


def _author_name(user) -> str:
    if user is None:
        return ""
    full = f"{user.last_name}{user.first_name}".strip()
    return full or user.get_full_name() or user.username


def _formats(facts: EntryFacts) -> list[str]:
    found = []
    if facts.video is not None:
        found.append("video/mp4")
    for document in facts.documents:
        kind = mimetypes.guess_type(document.file.name)[0] or "application/octet-stream"
        if kind not in found:
            found.append(kind)
    return found


def iso_duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + f"{secs}S"


# --- Dublin Core ---------------------------------------------------------------


def dublin_core(facts: EntryFacts) -> etree._Element:
    with translation.override("zh-hans"):
        return _dublin_core(facts)


def _dublin_core(facts: EntryFacts) -> etree._Element:
    e = facts.entry
    root = etree.Element(
        f"{{{OAI_DC_NS}}}dc",
        nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS},
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")

    def add(name, value):
        if value:
            etree.SubElement(root, f"{{{DC_NS}}}{name}").text = xml_text(value)

    lom_type, celts_type, dcmi_type = RESOURCE_TYPES.get(
        e.resource_type, ("", "", "Text")
    )
    add("title", e.title)
    add("creator", _author_name(e.author))
    add("subject", e.stage.name)
    add("subject", e.subject.name)
    if e.grade_id:
        add("subject", e.grade.name)
    for point, _ancestors in facts.knowledge_points:
        add("subject", point.name)
    add("description", e.summary)
    add("publisher", e.school.name if e.school_id else "")
    add("contributor", e.district.name if e.district_id else "")
    if e.first_published_at:
        add("date", e.first_published_at.date().isoformat())
    add("type", dcmi_type)
    add("type", celts_type)
    for kind in _formats(facts):
        add("format", kind)
    add("identifier", facts.url)
    add("identifier", facts.identifier)
    add("language", LANGUAGE)
    if e.edition_id:
        add("relation", e.edition.name)
    add("rights", e.get_licence_display())
    return root


# --- IEEE LOM -------------------------------------------------------------------


def _el(parent, name, text=None):
    node = etree.SubElement(parent, f"{{{LOM_NS}}}{name}")
    if text is not None:
        node.text = xml_text(text)
    return node


def _langstring(parent, name, text):
    node = _el(parent, name)
    _el(node, "string", text).set("language", LANGUAGE)
    return node


def _vocab(parent, name, value, source=LOM_VOCAB):
    node = _el(parent, name)
    _el(node, "source", source)
    _el(node, "value", value)
    return node


def _taxon_path(parent, source, taxa):
    path = _el(parent, "taxonPath")
    _langstring(path, "source", source)
    for taxon_id, entry in taxa:
        taxon = _el(path, "taxon")
        _el(taxon, "id", taxon_id)
        _langstring(taxon, "entry", entry)


def _vcard_value(text: str) -> str:
    text = xml_text(text).replace("\\", "\\\\").replace(",", "\\,")
    return text.replace(";", "\\;").replace("\r", "").replace("\n", "\\n")


def vcard(name: str, organisation: str = "") -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_vcard_value(name)}"]
    if organisation:
        lines.append(f"ORG:{_vcard_value(organisation)}")
    return "\n".join([*lines, "END:VCARD"])


def lom(facts: EntryFacts) -> etree._Element:
    with translation.override("zh-hans"):
        return _lom(facts)


def _lom(facts: EntryFacts) -> etree._Element:
    e = facts.entry
    root = etree.Element(f"{{{LOM_NS}}}lom", nsmap={None: LOM_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{LOM_NS} {LOM_SCHEMA}")
    lom_type, celts_type, _dcmi = RESOURCE_TYPES.get(e.resource_type, ("", "", ""))

    general = _el(root, "general")
    ident = _el(general, "identifier")
    _el(ident, "catalog", "URI")
    _el(ident, "entry", facts.url or facts.identifier)
    _langstring(general, "title", e.title)
    _el(general, "language", LANGUAGE)
    if e.summary:
        _langstring(general, "description", e.summary)
    for point, _ancestors in facts.knowledge_points:
        _langstring(general, "keyword", point.name)
    _vocab(general, "aggregationLevel", "1")

    author = _author_name(e.author)
    if author:
        life = _el(root, "lifeCycle")
        contribute = _el(life, "contribute")
        _vocab(contribute, "role", "author")
        _el(contribute, "entity", vcard(author, e.school.name if e.school_id else ""))
        if e.first_published_at:
            _el(
                _el(contribute, "date"),
                "dateTime",
                e.first_published_at.date().isoformat(),
            )

    meta = _el(root, "metaMetadata")
    ident = _el(meta, "identifier")
    _el(ident, "catalog", "oai")
    _el(ident, "entry", facts.identifier)
    _el(meta, "metadataSchema", "LOMv1.0")
    _el(meta, "metadataSchema", "CELTS-42")
    _el(meta, "language", LANGUAGE)

    technical = _el(root, "technical")
    for kind in _formats(facts):
        _el(technical, "format", kind)
    size = sum(d.file_size or 0 for d in facts.documents)
    if size:
        _el(technical, "size", str(size))
    if facts.url:
        _el(technical, "location", facts.url)
    duration = iso_duration(facts.video.duration if facts.video is not None else None)
    if duration:
        _el(_el(technical, "duration"), "duration", duration)

    educational = _el(root, "educational")
    if lom_type:
        _vocab(educational, "learningResourceType", lom_type)
        _vocab(educational, "learningResourceType", celts_type, CELTS_VOCAB)
    _vocab(educational, "context", "school")
    _el(educational, "language", LANGUAGE)

    rights = _el(root, "rights")
    _vocab(rights, "cost", "no")
    _vocab(
        rights,
        "copyrightAndOtherRestrictions",
        "yes",
    )
    _langstring(rights, "description", e.get_licence_display())

    levels = [(e.stage.code, e.stage.name)]
    if e.grade_id:
        levels.append((e.grade.code, e.grade.name))
    level = _el(root, "classification")
    _vocab(level, "purpose", "educational level")
    _taxon_path(level, "CELTS-42 学段/年级", levels)

    discipline = _el(root, "classification")
    _vocab(discipline, "purpose", "discipline")
    _taxon_path(discipline, "CELTS-42 学科", [(e.subject.code, e.subject.name)])
    if e.edition_id:
        _taxon_path(discipline, "教材版本", [(e.edition.code, e.edition.name)])

    if facts.knowledge_points:
        idea = _el(root, "classification")
        _vocab(idea, "purpose", "idea")
        for _point, chain in facts.knowledge_points:
            _taxon_path(idea, "CELTS-42 知识点", [(p.code, p.name) for p in chain])
    return root

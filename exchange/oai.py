"""The OAI-PMH 2.0 protocol: read a request's arguments, answer with XML.

Arguments are checked before anything is read from the database: an unknown
or repeated verb is `badVerb`; an unknown, repeated, missing or malformed
argument is `badArgument` (and the `request` element then carries no
attributes, as the protocol says); a token that does not verify is
`badResumptionToken`. Lists are ordered by page id and cut into pages of
`WEIKE_OAI_PAGE_SIZE`; published entries and tombstones are merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from lxml import etree

from catalog.ids import parse_id

from . import records, selectors, tokens

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
MAX_ARG_CHARS = 500

FORMATS = {
    "oai_dc": (records.OAI_DC_SCHEMA, records.OAI_DC_NS, records.dublin_core),
    "lom": (records.LOM_SCHEMA, records.LOM_NS, records.lom),
}
LIST_ARGS = ({"metadataPrefix"}, {"from", "until", "set"})
VERBS = {
    # verb: (required, optional); resumptionToken is exclusive where listed.
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": LIST_ARGS,
    "ListRecords": LIST_ARGS,
}
RESUMABLE = {"ListSets", "ListIdentifiers", "ListRecords"}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_SET = re.compile(r"stage:[A-Za-z0-9_-]{1,40}(:subject:[A-Za-z0-9_-]{1,40})?")
_SET_SYNTAX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identifier_for(page_id: int) -> str:
    return f"oai:{settings.WEIKE_OAI_REPOSITORY_ID}:entry/{page_id}"


def page_id_of(identifier: str) -> int | None:
    prefix = f"oai:{settings.WEIKE_OAI_REPOSITORY_ID}:entry/"
    if not identifier.startswith(prefix):
        return None
    return parse_id(identifier[len(prefix) :])


# --- Arguments -----------------------------------------------------------------


def read_arguments(params: list[tuple[str, list[str]]]) -> tuple[str, dict]:
    """(verb, arguments) from a request's (key, values) pairs, or OaiError."""
    given = dict(params)
    verbs = given.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "Illegal, missing or repeated verb.")
    verb = verbs[0]
    required, optional = VERBS[verb]
    args = {}
    for key, values in given.items():
        if len(values) != 1:
            raise OaiError("badArgument", f"Repeated argument: {key[:40]}.")
        if len(values[0]) > MAX_ARG_CHARS and key != "resumptionToken":
            raise OaiError("badArgument", f"Argument too long: {key[:40]}.")
        args[key] = values[0]
    if "resumptionToken" in args and verb in RESUMABLE:
        if len(args) != 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return verb, args
    unknown = set(args) - required - optional
    if unknown:
        raise OaiError("badArgument", "Illegal argument.")
    missing = required - set(args)
    if missing:
        raise OaiError(
            "badArgument", f"Missing argument: {', '.join(sorted(missing))}."
        )
    return verb, args


def _parse_date(value: str, *, end: bool) -> tuple[datetime, str]:
    """(bound, granularity); an `until` bound is exclusive, one unit later."""
    try:
        if _DAY.fullmatch(value):
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(), tzinfo=UTC)
            return (moment + timedelta(days=1) if end else moment), "day"
        if _SECOND.fullmatch(value):
            moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return (moment + timedelta(seconds=1) if end else moment), "second"
    except (ValueError, OverflowError):
        pass
    raise OaiError("badArgument", "Dates are YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")


@dataclass
class ListQuery:
    prefix: str
    set_spec: str | None
    start: datetime | None
    end: datetime | None
    args: dict
    after: int = 0
    cursor: int = 0


def list_query(verb: str, args: dict) -> ListQuery:
    if "resumptionToken" in args:
        try:
            state = tokens.read(args["resumptionToken"])
            if state.get("verb") != verb:
                raise tokens.BadToken
            query = _query_from(state["args"])
        except (tokens.BadToken, OaiError, KeyError, TypeError, AttributeError) as exc:
            raise OaiError(
                "badResumptionToken", "The resumption token is invalid or expired."
            ) from exc
        query.after = state["after"]
        query.cursor = int(state.get("cursor", 0))
        return query
    return _query_from(args)


def _query_from(args: dict) -> ListQuery:
    prefix = args["metadataPrefix"]
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", "Formats: oai_dc, lom.")
    start = end = None
    grains = []
    if "from" in args:
        start, grain = _parse_date(args["from"], end=False)
        grains.append(grain)
    if "until" in args:
        end, grain = _parse_date(args["until"], end=True)
        grains.append(grain)
    if len(set(grains)) > 1:
        raise OaiError("badArgument", "from and until differ in granularity.")
    if start and end and start >= end:
        raise OaiError("badArgument", "from is later than until.")
    set_spec = args.get("set")
    if set_spec is not None and not _SET_SYNTAX.fullmatch(set_spec):
        raise OaiError("badArgument", "Malformed set.")
    known = {
        k: args[k] for k in ("metadataPrefix", "from", "until", "set") if k in args
    }
    return ListQuery(prefix, set_spec, start, end, known)


# --- Responses -----------------------------------------------------------------


def _envelope(base_url: str, attributes: dict) -> etree._Element:
    root = etree.Element(
        f"{{{OAI_NS}}}OAI-PMH",
        nsmap={None: OAI_NS, "xsi": "http://www.w3.org/2001/XMLSchema-instance"},
    )
    root.set(
        "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation",
        f"{OAI_NS} {OAI_SCHEMA}",
    )
    _sub(root, "responseDate", stamp(timezone.now()))
    request = _sub(root, "request", base_url)
    for key, value in attributes.items():
        request.set(key, records.xml_text(value))
    return root


def _sub(parent, name, text=None):
    node = etree.SubElement(parent, f"{{{OAI_NS}}}{name}")
    if text is not None:
        node.text = text
    return node


def respond(params, base_url: str) -> bytes:
    try:
        verb, args = read_arguments(params)
    except OaiError as exc:
        root = _envelope(base_url, {})
        _sub(root, "error", exc.message).set("code", exc.code)
        return _bytes(root)
    root = _envelope(base_url, {"verb": verb, **args})
    try:
        body = HANDLERS[verb](args, base_url)
    except OaiError as exc:
        if exc.code == "badArgument":
            root = _envelope(base_url, {})
        _sub(root, "error", exc.message).set("code", exc.code)
    else:
        root.append(body)
    return _bytes(root)


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def identify(args, base_url):
    node = etree.Element(f"{{{OAI_NS}}}Identify")
    earliest = selectors.earliest_datestamp() or timezone.now()
    _sub(node, "repositoryName", settings.WEIKE_OAI_REPOSITORY_NAME)
    _sub(node, "baseURL", base_url)
    _sub(node, "protocolVersion", "2.0")
    _sub(node, "adminEmail", settings.WEIKE_OAI_ADMIN_EMAIL)
    _sub(node, "earliestDatestamp", stamp(earliest))
    _sub(node, "deletedRecord", "persistent")
    _sub(node, "granularity", GRANULARITY)
    return node


def list_metadata_formats(args, base_url):
    if "identifier" in args and _find(args["identifier"]) is None:
        raise OaiError("idDoesNotExist", "No such record.")
    node = etree.Element(f"{{{OAI_NS}}}ListMetadataFormats")
    for prefix, (schema, namespace, _build) in FORMATS.items():
        fmt = _sub(node, "metadataFormat")
        _sub(fmt, "metadataPrefix", prefix)
        _sub(fmt, "schema", schema)
        _sub(fmt, "metadataNamespace", namespace)
    return node


def list_sets(args, base_url):
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "ListSets is never split.")
    node = etree.Element(f"{{{OAI_NS}}}ListSets")
    for spec, name in selectors.all_sets():
        item = _sub(node, "set")
        _sub(item, "setSpec", spec)
        _sub(item, "setName", name)
    return node


def _find(identifier: str):
    """("live", entry) or ("deleted", tombstone) or None."""
    page_id = page_id_of(identifier)
    if page_id is None:
        return None
    entry = _entries().filter(pk=page_id).first()
    if entry is not None:
        return "live", entry
    tombstone = selectors.tombstones().filter(page_id=page_id).first()
    return ("deleted", tombstone) if tombstone is not None else None


def _entries():
    return (
        selectors.exposed_entries()
        .select_related(
            "stage", "subject", "grade", "edition", "author", "school", "district"
        )
        .prefetch_related("attachments__document")
    )


def get_record(args, base_url):
    if args["metadataPrefix"] not in FORMATS:
        raise OaiError("cannotDisseminateFormat", "Formats: oai_dc, lom.")
    found = _find(args["identifier"])
    if found is None:
        raise OaiError("idDoesNotExist", "No such record.")
    node = etree.Element(f"{{{OAI_NS}}}GetRecord")
    kind, item = found
    if kind == "live":
        _append_live(node, [item], args["metadataPrefix"], headers_only=False)
    else:
        _append_deleted(node, item, wrap=True)
    return node


def _header(parent, identifier, datestamp, set_specs, deleted=False):
    header = _sub(parent, "header")
    if deleted:
        header.set("status", "deleted")
    _sub(header, "identifier", identifier)
    _sub(header, "datestamp", stamp(datestamp))
    for spec in set_specs:
        _sub(header, "setSpec", spec)
    return header


def _append_live(parent, entries, prefix, *, headers_only):
    build = FORMATS[prefix][2]
    facts = records.load_facts(entries, identifier_for) if not headers_only else None
    for index, entry in enumerate(entries):
        specs = selectors.set_specs_of(
            selectors.set_spec_for(entry.stage.code, entry.subject.code)
        )
        container = parent if headers_only else _sub(parent, "record")
        _header(container, identifier_for(entry.pk), entry.oai_datestamp, specs)
        if not headers_only:
            _sub(container, "metadata").append(build(facts[index]))


def _append_deleted(parent, tombstone, *, wrap):
    container = _sub(parent, "record") if wrap else parent
    _header(
        container,
        identifier_for(tombstone.page_id),
        tombstone.datestamp,
        selectors.set_specs_of(tombstone.set_spec),
        deleted=True,
    )


def _list(verb, args, base_url, *, headers_only):
    query = list_query(verb, args)
    if query.set_spec is not None and not _SET.fullmatch(query.set_spec):
        raise OaiError("noRecordsMatch", "No records in this set.")
    size = settings.WEIKE_OAI_PAGE_SIZE
    live = selectors.filter_entries(
        _entries(), set_spec=query.set_spec, start=query.start, end=query.end
    )
    dead = selectors.filter_tombstones(
        selectors.tombstones(),
        set_spec=query.set_spec,
        start=query.start,
        end=query.end,
    )
    live_page = list(live.filter(pk__gt=query.after).order_by("pk")[: size + 1])
    dead_page = list(
        dead.filter(page_id__gt=query.after).order_by("page_id")[: size + 1]
    )
    merged = sorted(
        [(e.pk, "live", e) for e in live_page]
        + [(t.page_id, "deleted", t) for t in dead_page],
        key=lambda item: item[0],
    )
    if not merged:
        raise OaiError("noRecordsMatch", "No records match.")
    more = len(merged) > size
    merged = merged[:size]
    node = etree.Element(f"{{{OAI_NS}}}{verb}")
    live_items = [item for _pk, kind, item in merged if kind == "live"]
    built = etree.Element("built")
    _append_live(built, live_items, query.prefix, headers_only=headers_only)
    by_id = dict(zip([e.pk for e in live_items], list(built), strict=True))
    for pk, kind, item in merged:
        if kind == "live":
            node.append(by_id[pk])
        else:
            _append_deleted(node, item, wrap=not headers_only)
    if more or query.cursor:
        total = live.count() + dead.count()
        token = _sub(node, "resumptionToken")
        token.set("completeListSize", str(max(total, 1)))
        token.set("cursor", str(query.cursor))
        if more:
            token.text = tokens.issue(
                {
                    "verb": verb,
                    "args": query.args,
                    "after": merged[-1][0],
                    "cursor": query.cursor + len(merged),
                }
            )
            expires = timezone.now() + timedelta(
                seconds=settings.WEIKE_OAI_TOKEN_SECONDS
            )
            token.set("expirationDate", stamp(expires))
    return node


def list_identifiers(args, base_url):
    return _list("ListIdentifiers", args, base_url, headers_only=True)


def list_records(args, base_url):
    return _list("ListRecords", args, base_url, headers_only=False)


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}

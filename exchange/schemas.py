"""The XML schemas of what /oai/ emits, loaded from exchange/schemas/.

The copied official files import each other by their published URLs; a
resolver maps those URLs to the files here, so validating never touches the
network (and a schema that names an unknown URL fails to load).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent / "schemas"
LOCATIONS = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd": "lom.xsd",
}

# One schema that knows every namespace a response may hold, so the records
# inside <metadata> are validated along with the envelope.
_ALL = """<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/"
             schemaLocation="http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
             schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc.xsd"/>
  <xs:import namespace="http://ltsc.ieee.org/xsd/LOM"
             schemaLocation="http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"/>
</xs:schema>"""


class _Local(etree.Resolver):
    def resolve(self, url, pubid, context):
        name = LOCATIONS.get(url) or (
            Path(url).name if url and Path(url).name in LOCATIONS.values() else None
        )
        if name is None:
            raise etree.XMLSchemaParseError(f"unknown schema location {url}")
        return self.resolve_filename(str(HERE / name), context)


def _parser():
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_Local())
    return parser


@cache
def response_schema() -> etree.XMLSchema:
    """OAI-PMH responses with oai_dc and LOM records inside."""
    return etree.XMLSchema(etree.fromstring(_ALL.encode(), _parser()))


@cache
def schema(location: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(HERE / LOCATIONS[location]), _parser()))

"""Search fields whose text is segmented for Chinese before any backend sees it.

modelsearch's database and Elasticsearch/OpenSearch backends both read a
field's text through `field.get_value(obj)`; segmenting there gives every
backend the same words (see text_analysis/chinese.py).
"""

from modelsearch import index

from .chinese import segment


class ChineseSearchField(index.SearchField):
    def get_value(self, obj):
        value = super().get_value(obj)
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            value = " ".join(str(v) for v in value)
        return segment(str(value))


class ChineseAutocompleteField(index.AutocompleteField):
    def get_value(self, obj):
        value = super().get_value(obj)
        return segment(str(value)) if value else ""

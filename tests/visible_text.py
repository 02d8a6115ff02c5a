"""What a reader of a rendered page sees or is told: text nodes and the
attributes read out (shared by the language scans of the site and the admin)."""

from html.parser import HTMLParser


class VisibleText(HTMLParser):
    def __init__(
        self,
        skip=("script", "style", "template"),
        shown=("title", "aria-label", "placeholder", "alt"),
        submit_values=False,
    ):
        super().__init__()
        self.skip_tags = set(skip)
        self.shown = tuple(shown)
        self.submit_values = submit_values
        self.skip = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self.skip_tags:
            self.skip += 1
        attrs = dict(attrs)
        self.parts += [attrs[k] for k in self.shown if attrs.get(k)]
        if self.submit_values and tag == "input" and attrs.get("type") == "submit":
            if attrs.get("value"):
                self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.skip_tags and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())

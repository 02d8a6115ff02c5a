"""Materialised paths of the knowledge-point tree ("/3/17/42/"), without models,
so the index document and the models share one reading of them."""

PATH_SEP = "/"


def path_ids(path: str) -> list[int]:
    """The ids in a materialised path, root first, the point itself last: a
    point's ancestors without a query."""
    return [int(part) for part in path.strip(PATH_SEP).split(PATH_SEP) if part]

"""The academic year (学年) of an entry: it starts in September, in Shanghai.

2025 means 2025–2026. Used wherever an entry is created without an explicit
year (the teachers' upload form, `ingest_video`).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def current_academic_year(now: datetime | None = None) -> int:
    now = now or datetime.now(SHANGHAI)
    return now.year if now.month >= 9 else now.year - 1

"""One academic year rule (September, Shanghai) for every way an entry is made."""

from datetime import datetime

from catalog.academic_year import SHANGHAI, current_academic_year


def test_year_starts_on_first_of_september_in_shanghai():
    assert current_academic_year(datetime(2026, 8, 31, 23, 59, tzinfo=SHANGHAI)) == 2025
    assert current_academic_year(datetime(2026, 9, 1, 0, 0, tzinfo=SHANGHAI)) == 2026
    assert current_academic_year(datetime(2027, 1, 15, tzinfo=SHANGHAI)) == 2026

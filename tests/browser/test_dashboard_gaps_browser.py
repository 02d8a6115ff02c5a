"""The dashboard's gap list on a 390 px phone, in a real browser: the table
scrolls sideways inside its card; neither the card nor the page is cut off."""

import pytest

from tests.fixtures_site import PHONE_390

pytestmark = [pytest.mark.browser]


def test_gap_list_scrolls_inside_its_card_on_a_phone(
    site_live, browser, screenshot_dir
):
    base, _users = site_live
    context = browser.new_context(viewport=PHONE_390, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login/?next=/dashboard/")
    page.fill("#id_username", "bureau")
    page.fill("#id_password", "weike-demo")
    page.click("form.upload button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")

    page.goto(f"{base}/dashboard/?gap_sort=grade#gaps")
    page.wait_for_load_state("networkidle")
    assert page.locator("#gaps tbody tr").count() == 50  # the demo has more
    assert page.locator("#gaps thead th", has_text="年级").count() == 1
    page.screenshot(path=str(screenshot_dir / "dashboard-gaps-390.png"))

    card = page.locator("#gaps").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390
    scroller = page.locator("#gaps .table-scroll")
    box = scroller.bounding_box()
    assert box["x"] + box["width"] <= 390
    # Wider than the phone, so it scrolls; its last column can be reached.
    widths = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1]
    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    last = page.locator("#gaps thead th").last.bounding_box()
    assert last["x"] >= 0 and last["x"] + last["width"] <= 390 + 1
    # No part of the page is wider than the phone.
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth"
        " - document.documentElement.clientWidth"
    )
    # If not, the message names the elements that stick out.
    wide = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > 391)
        .slice(0, 8).map((e) => e.tagName + "." + e.className)"""
    )
    assert overflow <= 0, wide

    # The next page keeps the order and lands on the list.
    page.click("#gaps a[rel=next]")
    page.wait_for_url(lambda url: "gap_page=2" in url and "gap_sort=grade" in url)
    assert page.locator("#gaps .dash-pages").inner_text().startswith("上一页")
    assert errors == []
    context.close()

"""The practitioner's pages in Chromium at a phone's width and by keyboard: no sideways
scrolling, the result reachable, the skip link moving focus to the content, the target-level
menu offering the chosen skill's levels only, and a mistyped address a proper page."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from .browser import SHOTS, no_axe_violations, screenshot
from .pages import rate, start_self_assessment
from .servers import Server

PHONE = {"width": 390, "height": 844}


def _no_sideways_scrolling(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_at_a_phones_width_nothing_scrolls_sideways_and_the_result_is_reachable(
    browser: Any, server: Server
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        _no_sideways_scrolling(page)
        screenshot(page, "phone-home")
        start_self_assessment(page, server, name="Pat Phone")
        rate(page, "USUP-3.1", "usually")
        page.get_by_role("button", name="Add evidence").click()
        page.get_by_label("Summary: what you did and what came of it").fill(
            "Prioritised the morning queue of incidents using the impact and urgency matrix."
        )
        _no_sideways_scrolling(page)
        no_axe_violations(page)
        screenshot(page, "phone-editor")
        page.get_by_role("link", name="See your result").click()
        page.wait_for_function("() => location.hash === '#result'")
        page.wait_for_timeout(500)  # a live check may land meanwhile: the page stays put
        top = page.evaluate("() => document.getElementById('result').getBoundingClientRect().top")
        assert -2 <= top < PHONE["height"] / 2, top
        page.get_by_role("heading", name="Your result").wait_for()
        if SHOTS is not None:
            page.screenshot(path=str(SHOTS / "phone-result.png"))
    finally:
        context.close()


def test_the_skip_link_moves_focus_to_the_content(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'main'")
    page.keyboard.press("Tab")  # the next stop is inside the content, not the menu
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_the_target_level_menu_offers_the_skills_levels_only(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    page.get_by_label("Skill and SFIA version").select_option("USUP:9")
    offered = page.get_by_label("Level you are aiming for").locator("option").all_inner_texts()
    assert offered == ["none: the next level up", "1", "2", "3", "4", "5", "6"]


def test_a_mistyped_address_is_a_page_with_a_way_back(page: Any, server: Server) -> None:
    answer = page.goto(server.url + "/assesment/strat")
    assert answer is not None and answer.status == 404
    assert page.title() == "Not found \u00b7 sfia-assess"
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.get_by_role("heading", name="Not found").wait_for()
    assert page.get_by_role("link", name="Back to the start").get_attribute("href") == "/"
    no_axe_violations(page)
    screenshot(page, "not-found")
    # A static file that is not there: the same page.
    try:
        urllib.request.urlopen(server.url + "/static/nope.js", timeout=10)
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
        assert "Back to the start" in exc.read().decode()
    else:
        raise AssertionError("a missing static file was answered")


def test_the_generic_attributes_are_chosen_by_their_level_descriptions(
    page: Any, server: Server
) -> None:
    start_self_assessment(page, server, name="Ari Attributes")
    page.get_by_text("Give your level in each").click()
    autonomy = page.get_by_label("Autonomy")
    options = autonomy.locator("option").all_inner_texts()
    assert options[0] == "not given"
    assert options[3].startswith("3: Works under general direction")
    autonomy.select_option("3")
    no_axe_violations(page)
    screenshot(page, "editor-attributes")

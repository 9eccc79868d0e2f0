"""What every browser journey checks of a page, beside axe-core (tests/e2e/accessibility.py)."""


def no_sideways_scroll(page):
    """Nothing wider than the window: on a 375 px phone, a page that scrolls sideways hides its edge."""
    scroll_width, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide in a {width} px window"

"""What a user cannot read on a page, measured in the browser: times broken over two lines,
and elements past the window's right edge (the page itself never scrolls sideways, so those
are simply cut off)."""

from __future__ import annotations

from playwright.sync_api import Page


def wrapped_times(page: Page) -> list[str]:
    """The text of every <time> that takes more than one line."""
    return page.evaluate(
        """() => [...document.querySelectorAll("time")]
            .filter((t) => {
                const size = parseFloat(getComputedStyle(t).fontSize);
                return t.getBoundingClientRect().height > 1.8 * size;
            })
            .map((t) => t.textContent)"""
    )


_CUT_OFF = """() => {
    const width = document.documentElement.clientWidth;
    const held = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== "visible") return true;
        }
        return false;
    };
    return [...document.querySelectorAll("body *")]
        .filter((el) => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.right > width + 0.5 && !held(el);
        })
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${el.textContent.slice(0, 30)}`);
}"""


def cut_off(page: Page) -> list[str]:
    """Elements reaching past the window's right edge and not inside something that scrolls
    or clips them (a table that scrolls in its panel is fine)."""
    found: list[str] = page.evaluate(_CUT_OFF)
    return found


_CUT_CELLS = """(selector) => [...document.querySelectorAll(selector)]
    .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
    .map((cell) => cell.textContent.trim())"""


def cut_cells(page: Page, selector: str = "td") -> list[str]:
    """The text of every cell (``selector``) whose content is wider than the cell: shown cut,
    with an ellipsis."""
    found: list[str] = page.evaluate(_CUT_CELLS, selector)
    return found


def lines(page: Page, selector: str) -> float:
    """How many lines of its own text the first element matching ``selector`` takes."""
    count: float = page.evaluate(
        """(selector) => {
            const el = document.querySelector(selector);
            const style = getComputedStyle(el);
            const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
            return el.getBoundingClientRect().height / line;
        }""",
        selector,
    )
    return count

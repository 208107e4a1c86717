"""The accessibility rules a page is checked against in Chromium, written out by hand.

axe-core cannot be fetched at run time, so the rules that matter most on the participant's
pages are checked here, in the browser, on the page as drawn with the shipped CSS:

- the document names its language (``<html lang>``);
- every visible form control has a visible label: a ``<label for>`` or a wrapping
  ``<label>`` with text (a placeholder or ``aria-label`` alone is not enough), and every
  button has text;
- headings: one ``<h1>``, and no level skipped on the way down (an ``<h2>`` before any
  ``<h4>``);
- contrast: every visible text against the background it is drawn on is at least 4.5:1
  (3:1 for large text: 24 px, or 18.66 px bold), WCAG 2.1 AA;
- focus: Tab reaches every control, in the order of the page, each showing a visible focus
  indicator (an outline or a box shadow);
- nothing is wider than the screen (no sideways scrolling).

``problems(page)`` lists what is wrong, one line each; an empty list is a pass.
"""

from __future__ import annotations

from typing import Any

STATIC_RULES = r"""
() => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = el.getBoundingClientRect();
    // The visually-hidden pattern (1 px, clipped) is for screen readers only.
    if (box.width <= 1 && box.height <= 1) return false;
    return el.getClientRects().length > 0;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.name ? "[name=" + el.name + "]" : "");
  const textOf = (el) => (el.textContent || "").replace(/\s+/g, " ").trim();

  // Language.
  if (!document.documentElement.getAttribute("lang")) problems.push("html has no lang");

  // Labels.
  const controls = document.querySelectorAll(
    "input:not([type=hidden]), select, textarea");
  for (const el of controls) {
    if (!visible(el)) continue;
    let label = el.closest("label");
    if (!label && el.id) label = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    if (!label) { problems.push(`${describe(el)} has no label`); continue; }
    if (!textOf(label)) problems.push(`${describe(el)} has an empty label`);
  }
  for (const el of document.querySelectorAll("button, input[type=submit]")) {
    if (!visible(el)) continue;
    if (!textOf(el) && !el.value) problems.push(`${describe(el)} has no text`);
  }

  // Headings.
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(visible);
  const ones = headings.filter((h) => h.tagName === "H1").length;
  if (ones !== 1) problems.push(`${ones} h1 headings instead of one`);
  let level = 0;
  for (const h of headings) {
    const next = Number(h.tagName[1]);
    if (next > level + 1) problems.push(`h${next} "${textOf(h)}" skips a level after h${level}`);
    level = next;
  }

  // Contrast.
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(el)) continue;
    const style = getComputedStyle(el);
    const back = background(el);
    const fore = over(rgba(style.color), back);
    const [hi, lo] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    if (ratio < needed) {
      problems.push(`${describe(el)} "${textOf(el).slice(0, 40)}" has contrast ` +
        `${ratio.toFixed(2)}:1, below ${needed}:1`);
    }
  }

  // Width.
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide on a ` +
      `${window.innerWidth} px screen`);
  }
  return problems;
}
"""

FOCUSABLE = r"""
() => [...document.querySelectorAll(
  "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])"
)].filter((el) => !el.disabled && el.getClientRects().length > 0 &&
  getComputedStyle(el).visibility !== "hidden").map((el, i) => {
    el.dataset.a11yOrder = String(i);
    return i;
  }).length
"""

FOCUSED = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) ||
    (style.boxShadow && style.boxShadow !== "none");
  const label = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("value") && el.type === "radio" ? "=" + el.value : "");
  return {order: el.dataset.a11yOrder === undefined ? null : Number(el.dataset.a11yOrder),
          ring: Boolean(ring), label: label, radio: el.type === "radio" ? el.name : null};
}
"""


def focus_problems(page: Any, *, limit: int = 400) -> list[str]:
    """Tab from the top of the page to its end: each stop in page order, with a visible
    focus indicator. A group of radio buttons is one stop (the browser's own rule)."""
    count = page.evaluate(FOCUSABLE)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.evaluate("() => window.scrollTo(0, 0)")
    problems: list[str] = []
    reached: list[int] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUSED)
        if found is None or found["order"] is None:
            break
        if reached and found["order"] <= reached[-1]:
            break  # round the page and back to its start
        if not found["ring"]:
            problems.append(f"{found['label']} shows no focus indicator")
        reached.append(found["order"])
    missing = [
        order
        for order in range(count)
        if order not in reached and not _radio_sibling_reached(page, order, reached)
    ]
    if missing:
        labels = page.evaluate(
            "(orders) => orders.map((o) => { const el = document.querySelector("
            "`[data-a11y-order='${o}']`); return el.tagName.toLowerCase() + "
            "(el.id ? '#' + el.id : ''); })",
            missing[:10],
        )
        problems.append(f"Tab never reaches {', '.join(labels)}")
    return problems


def _radio_sibling_reached(page: Any, order: int, reached: list[int]) -> bool:
    return bool(
        page.evaluate(
            "([order, reached]) => { const el = document.querySelector("
            "`[data-a11y-order='${order}']`); if (el.type !== 'radio') return false;"
            "return [...(el.form || document).querySelectorAll(`input[type=radio][name='${el.name}']`)]"
            ".some((r) => reached.includes(Number(r.dataset.a11yOrder))); }",
            [order, reached],
        )
    )


def problems(page: Any) -> list[str]:
    """Every rule's problems on the page as it is now."""
    found: list[str] = page.evaluate(STATIC_RULES)
    return found + focus_problems(page)

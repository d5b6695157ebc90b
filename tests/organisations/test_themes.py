"""Themes without a database: WCAG contrast arithmetic, every contrast rule, validation errors that name the token,
the CSS custom properties, and the SVG logo checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plein.organisations import logos, themes
from plein.organisations.themes import (
    DEFAULT_THEME,
    RULES,
    ThemeError,
    contrast_ratio,
    format_ratio,
    relative_luminance,
    validate_theme,
)

UTRECHT_CSS = Path(__file__).resolve().parents[2] / "src" / "plein" / "web" / "static" / "vendor" / "utrecht.css"
colours = st.from_regex(r"#[0-9a-f]{6}", fullmatch=True)


def refusal(theme: object) -> ThemeError:
    with pytest.raises(ThemeError) as caught:
        validate_theme(theme)
    return caught.value


# Contrast arithmetic (WCAG 2.1: relative luminance and contrast ratio)

def test_known_contrast_ratios() -> None:
    assert relative_luminance("#000000") == 0 and relative_luminance("#ffffff") == pytest.approx(1)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#154273", "#154273") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey for text
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # one step lighter: too light
    assert contrast_ratio("#ff0000", "#ffffff") == pytest.approx(4.0, abs=0.01)
    assert contrast_ratio("#0000ff", "#ffffff") == pytest.approx(8.59, abs=0.01)
    assert contrast_ratio("#00ff00", "#000000") == pytest.approx(15.3, abs=0.01)


def test_ratios_are_shown_rounded_down() -> None:
    assert format_ratio(4.4999) == "4.49:1"
    assert format_ratio(21) == "21.00:1"
    assert format_ratio(contrast_ratio("#777777", "#ffffff")) == "4.47:1"


@given(colours, colours)
def test_contrast_is_symmetric_and_between_1_and_21(first: str, second: str) -> None:
    ratio = contrast_ratio(first, second)
    assert 1 <= ratio <= 21.0000001
    assert ratio == pytest.approx(contrast_ratio(second, first))


def test_colour_helpers() -> None:
    assert themes.normalise_colour("#ABC") == "#aabbcc"
    assert themes.mix("#000000", "#ffffff", 0.5) == "#808080"
    assert themes.mix("#154273", "#ffffff", 0) == "#154273"


# The rules: each theme below breaks one rule; when a rule is taken out of RULES, its case fails.

BREAKS = {
    "body text": {"text": "#999999"},
    "text on light panels, table headers and info alerts": {"primaryTint": "#595959"},
    "text in success, warning and error alerts": {"text": "#737373", "primaryTint": "#ffffff"},
    "headings (large text: 24 px and more, bold)": {"heading": "#aaaaaa"},
    "links": {"link": "#aaaaaa"},
    "visited links": {"linkVisited": "#aaaaaa"},
    "links on light panels": {"link": "#5a5a5a", "primaryTint": "#b0b0b0"},
    "primary buttons, navigation and footer": {"primaryText": "#777777"},
    "primary buttons under the mouse or with focus": {"primaryHover": "#5a7fa8"},
    "the label and border of secondary buttons": {"primary": "#7a8fa6", "primaryText": "#000000"},
    "secondary buttons under the mouse or with focus": {"primaryHover": "#8da2b8", "primaryText": "#000000"},
    "the page header": {"headerText": "#cccccc"},
    "the focus outline": {"focus": "#dddddd"},
    "the focus indicator in the page header": {"headerBackground": "#000000", "headerText": "#ffffff",
                                               "focusRing": "#111111"},
    "the focus indicator in the navigation bar and footer": {"primary": "#000080", "focusRing": "#1a1a80"},
    "the text of a focused link": {"focusRing": "#333333"},
}


def test_every_rule_has_a_case_that_breaks_it() -> None:
    assert {rule.what for rule in RULES} == set(BREAKS)


@pytest.mark.parametrize("what", list(BREAKS))
def test_each_contrast_rule_refuses_a_theme_that_breaks_it(what: str) -> None:
    error = refusal(BREAKS[what])
    found = [problem for problem in error.invalid_params if f"is needed for {what} " in problem.reason]
    assert found, f"no problem for '{what}' in {error.detail}"
    rule = next(rule for rule in RULES if rule.what == what)
    problem = found[0]
    assert problem.code == "contrast" and problem.name in rule.foregrounds
    assert re.search(rf"{problem.name} \(#[0-9a-f]{{6}}", problem.reason), "the message names the token and colour"
    assert re.search(r"has a contrast of \d+\.\d\d:1; at least (4\.5|3):1", problem.reason)
    assert problem.reason in error.detail


def test_text_needs_4_5_and_large_headings_3() -> None:
    validate_theme({"link": "#767676", "primaryTint": "#ffffff"})
    assert "link (#777777) on the page background (#ffffff) has a contrast of 4.47:1; at least 4.5:1 is needed " \
           "for links" in refusal({"link": "#777777", "primaryTint": "#ffffff"}).detail
    validate_theme({"heading": "#949494"})  # 3.03:1: enough for large text
    assert "heading (#959595) on the page background (#ffffff) has a contrast of 2.99:1; at least 3:1" in \
        refusal({"heading": "#959595"}).detail


def test_the_focus_indicator_on_coloured_bars_may_be_either_colour() -> None:
    theme = themes.resolve(validate_theme({}))
    # the default navigation bar is dark blue: the black outline alone is too dark there, the yellow ring is enough
    assert contrast_ratio(theme.colours["focus"], theme.colours["primary"]) < 3
    validate_theme({"primary": "#154273"})


def test_derived_tokens_are_checked_and_named() -> None:
    stored = validate_theme({"primary": "#00703c"})
    theme = themes.resolve(stored)
    assert theme.colours["primaryHover"] == themes.mix("#00703c", "#000000", 0.25)
    assert theme.colours["link"] == "#00703c" and "primaryHover" in theme.derived
    error = refusal({"primary": "#ffd200", "primaryText": "#000000", "link": "#154273"})
    assert any("primaryHover (#bf9e00, derived; set primaryHover to choose another)" in problem.reason
               for problem in error.invalid_params)


def test_the_default_and_demo_themes_pass() -> None:
    assert validate_theme({}) == {"version": 1}
    assert all(ratio >= rule.minimum for rule, _, ratio in DEFAULT_THEME.contrasts())
    assert set(themes.demo_themes()) == {"0363", "0344", "0518"}
    primaries = set()
    for tokens in themes.demo_themes().values():
        theme = themes.resolve(validate_theme(tokens))
        assert theme.logo and "<svg" in theme.logo
        primaries.add((theme.colours["primary"], theme.colours["headerBackground"]))
    assert len(primaries | {(DEFAULT_THEME.colours["primary"], DEFAULT_THEME.colours["headerBackground"])}) == 4


# Validation errors name the token

@pytest.mark.parametrize(("theme", "token", "words"), [
    ({"primry": "#000000"}, "primry", "is not a theme token"),
    ({"link": "red"}, "link", "must be a hex colour"),
    ({"link": "#12345"}, "link", "must be a hex colour"),
    ({"link": "#11223344"}, "link", "must be a hex colour"),
    ({"link": 123}, "link", "must be a hex colour"),
    ({"fontFamily": "Arial; } body { display: none"}, "fontFamily", "CSS font-family list"),
    ({"version": 2}, "version", "version must be 1"),
    ({"logo": "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'><script>alert(1)</script></svg>"},
     "logo", "element <script> is not allowed"),
    ({"logoFile": "../../secrets.svg"}, "logoFile", "is not a logo file name"),
    ({"logoFile": "rotterdam.svg"}, "logoFile", "no built-in logo"),
    ({"logo": "<svg/>", "logoFile": "amsterdam.svg"}, "logo", "not both"),
])
def test_validation_errors_name_the_token(theme: dict[str, object], token: str, words: str) -> None:
    error = refusal(theme)
    assert [problem.name for problem in error.invalid_params] == [token]
    assert words in error.invalid_params[0].reason and words in error.detail


def test_a_theme_must_be_a_mapping() -> None:
    assert refusal(["#000000"]).invalid_params[0].name == "theme"


def test_valid_input_is_normalised() -> None:
    stored = validate_theme({"primary": "#D40000", "text": "#000", "fontFamily": " Arial, sans-serif ",
                             "logoFile": "amsterdam.svg"})
    assert stored == {"version": 1, "primary": "#d40000", "text": "#000000", "fontFamily": "Arial, sans-serif",
                      "logoFile": "amsterdam.svg"}


def test_a_stored_theme_that_fails_the_checks_is_never_shown() -> None:
    assert themes.theme_of({"version": 1, "link": "#eeeeee"}) == (DEFAULT_THEME, False)
    assert themes.theme_of({}) == (DEFAULT_THEME, True)
    theme, own = themes.theme_of(validate_theme(themes.demo_themes()["0363"]))
    assert own and theme.colours["primary"] == "#d40000"


# CSS custom properties

def test_css_sets_every_token_on_the_theme_class_with_literal_values() -> None:
    theme = themes.resolve(validate_theme(themes.demo_themes()["0363"]))
    css = theme.css("0363")
    assert ".plein-theme--0363 {" in css and "var(" not in css
    assert "  --utrecht-button-primary-action-background-color: #d40000;\n" in css
    assert "  --utrecht-link-color: #004699;\n" in css
    assert "  --plein-font: Arial, Helvetica, sans-serif;\n" in css
    for properties in themes.PROPERTIES.values():
        for prop in properties:
            assert f"  {prop}: " in css


def test_every_utrecht_property_the_theme_sets_is_read_by_the_utrecht_components() -> None:
    if not UTRECHT_CSS.is_file():
        pytest.skip("the Utrecht CSS is installed by `make install`")
    utrecht = UTRECHT_CSS.read_text("utf-8")
    for properties in themes.PROPERTIES.values():
        for prop in properties:
            if prop.startswith("--utrecht-"):
                assert f"var({prop}" in utrecht, f"no Utrecht component reads {prop}"


def test_the_fixed_alert_background_is_the_darkest_alert_tint_in_plein_css() -> None:
    plein_css = (Path(themes.__file__).parents[1] / "web" / "static" / "plein.css").read_text("utf-8")
    tints = {kind: re.search(rf"--plein-color-{kind}-tint: (#[0-9a-f]{{6}});", plein_css) for kind in
             ("ok", "warning", "error")}
    values = [found.group(1) for found in tints.values() if found]
    assert len(values) == 3
    assert min(values, key=relative_luminance) == themes.FIXED["alertBackground"]


def test_plein_css_reads_the_plein_tokens_the_theme_sets() -> None:
    plein_css = (Path(themes.__file__).parents[1] / "web" / "static" / "plein.css").read_text("utf-8")
    for token in ("primary", "primary-text", "primary-tint", "focus", "focus-ring",
                  "header-background", "header-text", "text"):
        assert f"var(--plein-color-{token})" in plein_css
    assert "--plein-color-blue" not in plein_css


# Logos

SVG = 'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"'


@pytest.mark.parametrize(("svg", "words"), [
    (f"<svg {SVG}><script>alert(1)</script></svg>", "element <script>"),
    (f'<svg {SVG} onload="alert(1)"><rect width="1" height="1"/></svg>', "attribute 'onload'"),
    (f'<svg {SVG}><a href="javascript:alert(1)"><text>x</text></a></svg>', "element <a>"),
    (f'<svg {SVG}><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></svg>',
     "element <foreignObject>"),
    (f"<svg {SVG}><style>rect {{ fill: url(http://evil.example/x) }}</style></svg>", "element <style>"),
    (f'<svg {SVG}><rect style="fill: red" width="1" height="1"/></svg>', "attribute 'style'"),
    (f'<svg {SVG} xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"/></svg>', "element <use>"),
    (f'<svg {SVG}><image href="https://evil.example/x.png"/></svg>', "element <image>"),
    (f'<svg {SVG}><rect fill="url(https://evil.example/#x)" width="1" height="1"/></svg>', "refers outside"),
    (f'<svg {SVG}><set attributeName="fill" to="red"/></svg>', "element <set>"),
    ('<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     f"<svg {SVG}><text>&b;</text></svg>", "without a DTD"),
    ("<html><body>no svg</body></html>", "root element must be <svg>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "needs a viewBox"),
    (f"<svg {SVG}>" + "<rect/>" * 20000 + "</svg>", "larger than"),
    ("<svg", "not well-formed"),
])
def test_logos_that_could_run_or_load_anything_are_refused(svg: str, words: str) -> None:
    with pytest.raises(logos.LogoError, match=re.escape(words)):
        logos.clean_svg(svg)


def test_a_clean_logo_keeps_its_drawing_and_escapes_its_text() -> None:
    cleaned = logos.clean_svg(f'<svg {SVG} role="img"><title>A &amp; B &lt;3</title>'
                              '<rect x="1" y="1" width="8" height="8" fill="url(#g)"/></svg>')
    assert cleaned.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" role="img">')
    assert "<title>A &amp; B &lt;3</title>" in cleaned and 'fill="url(#g)"' in cleaned
    for name in ("amsterdam.svg", "utrecht.svg", "den-haag.svg"):
        assert logos.clean_svg(logos.builtin_logo(name)).count("<text") == 1


def test_the_wordmark_escapes_the_name() -> None:
    mark = logos.wordmark("<script>x</script> & Co", "#154273", "#1b1b1b", 'Arial, "Segoe UI"')
    assert "<script>" not in mark and "&lt;script&gt;" in mark
    assert logos.clean_svg(mark)  # the wordmark passes the same checks as a logo a beheerder gives

"""Check 6: the zaaktypen block of plein.yaml: only service apps have one, identificaties are unique, and the rules
the Catalogi API would apply to each zaaktype and its parts hold.

The JSON Schema (the manifest check) already holds each field to its type, length and enum; this check adds what a
schema cannot say: uniqueness across items, fields that depend on each other, the same informatieobjecttype
described the same way wherever the manifest names it, and `fromOptions` expressions that read existing options and
give valid fields with the options' defaults.
"""

from __future__ import annotations

from typing import Any

from plein import logic
from plein.errors import Conflict
from plein.store.adoptions import apply_defaults, provided_manifest
from plein.store.checks import Check, CheckContext
from plein.store.checks.service import text_keys
from plein.store.findings import Finding
from plein.store.package import MANIFEST
from plein.store.yamldoc import YamlDoc
from plein.zgw.catalogi.service_parts import brondatum_problems

IOT_DEFINITION = ("vertrouwelijkheidaanduiding", "informatieobjectcategorie")


def _finding(rule: str, message: str, doc: YamlDoc, path: str) -> Finding:
    return Finding("zaaktypen", f"zaaktypen.{rule}", "error", f"{path}: {message}", file=MANIFEST,
                   line=doc.line(path), path=path)


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The entries of a list that are objects, with their index (the schema check reports the others)."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _duplicates(items: list[tuple[int, dict[str, Any]]], key: str) -> list[tuple[int, int, str]]:
    """(index, index of the first with the same value, value) for every later item that repeats a value of `key`."""
    first: dict[str, int] = {}
    repeated = []
    for index, item in items:
        value = item.get(key)
        if not isinstance(value, str):
            continue
        if value in first:
            repeated.append((index, first[value], value))
        else:
            first[value] = index
    return repeated


def check_zaaktypen(context: CheckContext) -> list[Finding]:
    manifest = context.manifest
    if manifest is None or "zaaktypen" not in manifest:
        return []
    doc = YamlDoc(manifest, context.manifest_lines)
    if manifest.get("kind") != "service":
        return [_finding("service-only", f"alleen apps van de soort service hebben zaaktypen (deze app is "
                         f"{manifest.get('kind')!r}); verwijder dit blok", doc, "zaaktypen")]
    zaaktypen = _items(manifest["zaaktypen"])
    findings = [
        _finding("duplicate-identificatie", f"identificatie {value!r} wordt al gebruikt door zaaktypen[{earlier}]; "
                 "elk zaaktype heeft een eigen identificatie nodig", doc, f"zaaktypen[{index}].identificatie")
        for index, earlier, value in _duplicates(zaaktypen, "identificatie")
    ]
    for index, zaaktype in zaaktypen:
        findings += _zaaktype_rules(zaaktype, doc, f"zaaktypen[{index}]")
    findings += _same_informatieobjecttypen(zaaktypen, doc)
    return findings + _from_options(manifest, zaaktypen, doc)


def _zaaktype_rules(zaaktype: dict[str, Any], doc: YamlDoc, base: str) -> list[Finding]:
    findings = []
    if zaaktype.get("verlengingMogelijk") is True and not zaaktype.get("verlengingstermijn"):
        findings.append(_finding("verlengingstermijn", "verplicht als verlengingMogelijk true is", doc,
                                 f"{base}.verlengingstermijn"))
    if zaaktype.get("verlengingMogelijk") is not True and "verlengingstermijn" in zaaktype:
        findings.append(_finding("verlengingstermijn", "alleen toegestaan als verlengingMogelijk true is", doc,
                                 f"{base}.verlengingstermijn"))
    resultaattypen = _items(zaaktype.get("resultaattypen"))
    findings += [
        _finding("duplicate-resultaattype", f"omschrijving {value!r} wordt al gebruikt door resultaattypen[{earlier}]; "
                 "de resultaattypen van een zaaktype hebben elk een eigen omschrijving nodig", doc,
                 f"{base}.resultaattypen[{index}].omschrijving")
        for index, earlier, value in _duplicates(resultaattypen, "omschrijving")
    ]
    for index, resultaattype in resultaattypen:
        procedure = resultaattype.get("brondatumArchiefprocedure")
        if not isinstance(procedure, dict) or not isinstance(procedure.get("afleidingswijze"), str):
            continue
        for problem in brondatum_problems(procedure):
            findings.append(_finding("brondatum-archiefprocedure", problem.reason, doc,
                                     f"{base}.resultaattypen[{index}].{problem.name}"))
    findings += [
        _finding("duplicate-informatieobjecttype", f"informatieobjecttype {value!r} staat al in "
                 f"informatieobjecttypen[{earlier}]", doc, f"{base}.informatieobjecttypen[{index}].omschrijving")
        for index, earlier, value in _duplicates(_items(zaaktype.get("informatieobjecttypen")), "omschrijving")
    ]
    findings += [
        _finding("duplicate-eigenschap", f"eigenschap {value!r} staat al in eigenschappen[{earlier}]; de "
                 "eigenschappen van een zaaktype hebben elk een eigen naam nodig", doc,
                 f"{base}.eigenschappen[{index}].naam")
        for index, earlier, value in _duplicates(_items(zaaktype.get("eigenschappen")), "naam")
    ]
    return findings


def _same_informatieobjecttypen(zaaktypen: list[tuple[int, dict[str, Any]]], doc: YamlDoc) -> list[Finding]:
    """An informatieobjecttype is one type in the catalogus: wherever it is named, it is described the same way."""
    seen: dict[str, tuple[str, tuple[Any, ...]]] = {}
    findings = []
    for index, zaaktype in zaaktypen:
        for position, iot in _items(zaaktype.get("informatieobjecttypen")):
            name = iot.get("omschrijving")
            if not isinstance(name, str):
                continue
            path = f"zaaktypen[{index}].informatieobjecttypen[{position}]"
            definition = tuple(iot.get(key) for key in IOT_DEFINITION)
            if name not in seen:
                seen[name] = (path, definition)
            elif seen[name][1] != definition:
                findings.append(_finding("informatieobjecttype-differs", f"informatieobjecttype {name!r} is "
                                         f"anders beschreven in {seen[name][0]}; geef beide dezelfde "
                                         "vertrouwelijkheidaanduiding en informatieobjectcategorie", doc, path))
    return findings


def _from_options(manifest: dict[str, Any], zaaktypen: list[tuple[int, dict[str, Any]]], doc: YamlDoc
                  ) -> list[Finding]:
    """Each fromOptions expression is JSON Logic that reads only options of the options schema, and gives a valid
    value when a municipality keeps every default."""
    schema: dict[str, Any] = manifest["options"] if isinstance(manifest.get("options"), dict) else {}
    properties = schema.get("properties")
    options = set(properties) if isinstance(properties, dict) else set()
    findings: list[Finding] = []
    wrong: set[str] = set()
    for index, zaaktype in zaaktypen:
        derived = zaaktype.get("fromOptions")
        for name, expression in derived.items() if isinstance(derived, dict) else []:
            path = f"zaaktypen[{index}].fromOptions.{name}"
            found = _expression_rules(expression, options, doc, path)
            wrong.update([path] if found else [])
            findings += found
    if isinstance(manifest.get("zaaktypen"), list):
        # an expression that is wrong gives no valid value either; say why only once
        findings += [f for f in _with_defaults(manifest, schema, doc) if f.path not in wrong]
    return findings


def _expression_rules(expression: Any, options: set[str], doc: YamlDoc, path: str) -> list[Finding]:
    expression = text_keys(expression)
    findings = []
    for problem in logic.problems(expression, path):
        where, _, message = problem.partition(": ")
        findings.append(_finding("from-options-logic", f"geen JSON Logic die Plein uitvoert: {message}", doc,
                                 where or path))
    for name in sorted(logic.variables(expression)):
        root, _, rest = name.partition(".")
        option = rest.split(".", 1)[0]
        if root != "opties" or option not in options:
            findings.append(_finding("from-options-option", f"leest {name!r}, maar een fromOptions-expressie leest "
                                     "alleen opties.<optie>, met een optie uit het optieschema (daar: "
                                     f"{', '.join(sorted(options)) or 'geen'})", doc, path))
    return findings


def _with_defaults(manifest: dict[str, Any], schema: dict[str, Any], doc: YamlDoc) -> list[Finding]:
    defaults = apply_defaults(schema, {})
    try:
        provided_manifest({"zaaktypen": manifest["zaaktypen"]}, defaults)
    except Conflict as exc:
        return [_finding("from-options", f"met de standaardwaarden van de opties ({defaults}) geeft dit geen "
                         f"geldige waarde: {param.reason}", doc, param.name) for param in exc.invalid_params]
    return []


CHECK = Check("zaaktypen", "Zaaktypen: alleen voor diensten, unieke identificaties, de regels van Catalogi", "1",
              check_zaaktypen)

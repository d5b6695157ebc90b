"""The service check: service/service.yaml, the declarative service of a service app, against its schema, with its
identifiers, references to the manifest, JSON Logic, the register data it reads and the register changes it makes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jsonschema import Draft202012Validator

from plein import logic
from plein.exchange.grants import covers
from plein.registers.fields import register_fields
from plein.store import schema_messages
from plein.store.checks import Check, CheckContext
from plein.store.findings import Finding, Severity
from plein.store.package import SERVICE
from plein.store.yamldoc import YamlDoc, YamlDocError, json_path_to_dotted, load_yaml

SERVICE_SCHEMA_VERSION = "1"

# The effects Plein implements: effect type -> (register, mutation) of the write grant (requires.writes) it needs,
# or None for an effect that changes no register (a document made from a template).
EFFECT_WRITES: dict[str, tuple[str, str] | None] = {
    "brp.verhuizing": ("brp", "verhuizing"), "brp.overlijden": ("brp", "overlijden"), "document": None,
}

# The data every expression is evaluated over; a var path starts with one of these.
ROOTS = ("antwoorden", "prefill", "opties", "vandaag", "nu", "aanvrager", "gemeente", "controles", "afspraak")
DOCUMENT_ROOTS = (*ROOTS, "zaak")  # a document effect is made once the zaak exists, and may name it

# Who logs in how: inwoners with a DigiD level, ondernemers with an eHerkenning level.
ASSURANCE = {"inwoner": ("basis", "midden", "substantieel", "hoog"), "ondernemer": ("EH2", "EH2+", "EH3", "EH4")}
LOGIN = {"inwoner": "DigiD", "ondernemer": "eHerkenning"}

# What the engine reads of the applicant to find the huisgenoten: partners, children and the address.
HUISGENOTEN_NEEDS = ("partners", "kinderen", "verblijfplaats")

LOGIC_REF = "#/$defs/logic"
TEXT_REF = "#/$defs/text"
MAX_MESSAGE = 300


@cache
def service_schema() -> dict[str, Any]:
    """The JSON Schema of service/service.yaml, served at /api/store/v1/schemas/plein-service.json."""
    text = resources.files("plein.store").joinpath(f"schemas/plein-service-{SERVICE_SCHEMA_VERSION}.json")
    schema: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return schema


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The entries of a list that are objects, with their index (the schema check reports the others)."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _listed(names: Any) -> str:
    shown = [repr(name) for name in names]
    return ", ".join(shown) if shown else "geen"


@dataclass
class Definition:
    """A parsed service definition with its lines, its manifest (None when that did not parse) and the names they
    define, which the rules look things up in."""

    data: dict[str, Any]
    doc: YamlDoc
    manifest: dict[str, Any] | None
    files: dict[str, bytes] = field(default_factory=dict)  # the package's files, by their path in it
    questions: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    question_list: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    prefill: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for step_index, step in _items(self.data.get("steps")):
            for index, question in _items(step.get("questions")):
                self.question_list.append((f"steps[{step_index}].questions[{index}]", question))
        for path, question in self.question_list:
            if isinstance(question.get("id"), str):
                self.questions.setdefault(question["id"], (path, question))
        for _, entry in _items(self.data.get("prefill")):
            if isinstance(entry.get("id"), str):
                self.prefill.setdefault(entry["id"], entry)

    def finding(self, rule: str, message: str, path: str, severity: Severity = "error") -> Finding:
        return Finding("service", f"service.{rule}", severity, f"{path}: {message}" if path else message,
                       file=SERVICE, line=self.doc.line(path), path=path or None)

    def ids(self, key: str) -> list[str]:
        return [item["id"] for _, item in _items(self.data.get(key)) if isinstance(item.get("id"), str)]

    def zaaktype(self) -> dict[str, Any] | None:
        """The manifest's zaaktype that case.zaaktype names, if there is one."""
        wanted = _dict(self.data.get("case")).get("zaaktype")
        zaaktypen = _items((self.manifest or {}).get("zaaktypen"))
        return next((item for _, item in zaaktypen if item.get("identificatie") == wanted), None)

    @cached_property
    def places(self) -> dict[str, Any]:
        """Every JSON Logic expression of the definition by its dotted path."""
        return logic_places(self.data)

    def options(self) -> set[str] | None:
        """The names of the manifest's options (None without a manifest: then nothing can be said about them)."""
        if self.manifest is None:
            return None
        return set(_dict(_dict(self.manifest.get("options")).get("properties")))


Rule = Callable[[Definition], list[Finding]]


# --- loading, kind and schema ----------------------------------------------------------------------------------


def check_service(context: CheckContext) -> list[Finding]:
    """Load service/service.yaml strictly, keep it on the context for later use, and run every rule over it."""
    raw = context.package.files.get(SERVICE)
    kind = (context.manifest or {}).get("kind")
    if raw is None:
        if kind != "service":
            return []
        return [Finding("service", "service.missing", "warning", f"een service-app zonder {SERVICE} kan "
                        "geadopteerd worden maar draait nergens; voeg de dienstdefinitie toe", file=SERVICE)]
    try:
        doc = load_yaml(raw)
    except YamlDocError as exc:
        return [Finding("service", f"service.{exc.rule}", "error", str(exc), file=SERVICE, line=exc.line)]
    if context.manifest is not None and kind != "service":
        return [Finding("service", "service.service-only", "error", f"alleen apps van de soort service hebben een "
                        f"dienstdefinitie (deze app is {kind!r}); verwijder {SERVICE}", file=SERVICE,
                        line=doc.line(""))]
    findings = _schema(doc)
    if not isinstance(doc.data, dict):
        return findings
    context.service = doc.data
    context.service_lines = doc.lines
    definition = Definition(doc.data, doc, context.manifest, dict(context.package.files))
    for rule in RULES:
        findings += rule(definition)
    return findings


def _schema(doc: YamlDoc) -> list[Finding]:
    validator = Draft202012Validator(service_schema())
    errors = sorted(validator.iter_errors(doc.data), key=lambda error: list(map(str, error.absolute_path)))
    findings = []
    for error in errors:
        path = json_path_to_dotted(list(error.absolute_path))
        message = schema_messages.message(path or "de dienstdefinitie", error)
        message = message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"
        findings.append(Finding("service", f"service.schema.{error.validator}", "error", message,
                                file=SERVICE, line=doc.line(path), path=path or None))
    return findings


# --- identifiers and references within the definition -------------------------------------------------------


def _identifiers(d: Definition) -> list[Finding]:
    """Step ids, question ids (across all steps), prefill, check and consent ids are each unique."""
    groups = [
        ("stap", [(f"steps[{index}]", item) for index, item in _items(d.data.get("steps"))]),
        ("vraag", d.question_list),
        ("prefill-regel", [(f"prefill[{index}]", item) for index, item in _items(d.data.get("prefill"))]),
        ("controle", [(f"checks[{index}]", item) for index, item in _items(d.data.get("checks"))]),
        ("toestemming", [(f"consent[{index}]", item) for index, item in _items(d.data.get("consent"))]),
    ]
    findings = []
    for kind, entries in groups:
        first: dict[str, str] = {}
        for path, entry in entries:
            ident = entry.get("id")
            if not isinstance(ident, str):
                continue
            if ident in first:
                findings.append(d.finding("duplicate-id", f"het id {ident!r} ({kind}) wordt al gebruikt door "
                                          f"{first[ident]}; elke {kind} heeft een eigen id nodig", f"{path}.id"))
            else:
                first[ident] = path
    return findings


def _handled_by(d: Definition) -> list[Finding]:
    after = _dict(d.data.get("handledBy")).get("after")
    steps = d.ids("steps")
    if not isinstance(after, str) or after in steps:
        return []
    return [d.finding("unknown-step", f"{after!r} is geen id van een stap; noem de stap waarna de behandelende "
                      f"gemeente bekend is (stappen: {_listed(steps)})", "handledBy.after")]


def _persons_sources(d: Definition) -> list[Finding]:
    """A persons question chooses from a prefill entry about huisgenoten."""
    findings = []
    for path, question in d.question_list:
        source = question.get("source")
        if question.get("type") != "persons" or not isinstance(source, str):
            continue
        entry = d.prefill.get(source)
        if entry is None:
            problem = f"{source!r} is geen id van een prefill-regel"
        elif entry.get("about") != "huisgenoten":
            problem = f"prefill-regel {source!r} gaat over {entry.get('about')!r}"
        else:
            continue
        findings.append(d.finding("persons-source", f"{problem}; een vraag van het type persons kiest uit een "
                                  "prefill-regel over huisgenoten", f"{path}.source"))
    return findings


def _missing_for_huisgenoten(entry: dict[str, Any]) -> list[str]:
    fields = [item for item in _fields(entry) if isinstance(item, str)]
    return [need for need in HUISGENOTEN_NEEDS if not any(covers(item, need) for item in fields)]


def _huisgenoten(d: Definition) -> list[Finding]:
    """The huisgenoten are found through the applicant's partners, kinderen and verblijfplaats, so a prefill entry
    about huisgenoten needs one about the aanvrager that reads them."""
    entries = _items(d.data.get("prefill"))
    applicants = [(index, entry) for index, entry in entries if entry.get("about") == "aanvrager"]
    findings = []
    for index, entry in entries:
        if entry.get("about") != "huisgenoten":
            continue
        if not applicants:
            findings.append(d.finding("huisgenoten-needs-aanvrager", "een prefill-regel over huisgenoten vraagt een "
                                      "prefill-regel over aanvrager met de velden " + ", ".join(HUISGENOTEN_NEEDS),
                                      f"prefill[{index}].about"))
        elif all(_missing_for_huisgenoten(applicant) for _, applicant in applicants):
            position, applicant = applicants[0]
            missing = ", ".join(_missing_for_huisgenoten(applicant))
            findings.append(d.finding("huisgenoten-needs-aanvrager", f"prefill[{index}] gaat over huisgenoten, "
                                      f"die worden gevonden via {', '.join(HUISGENOTEN_NEEDS)} van de aanvrager; "
                                      f"voeg {missing} aan deze velden toe", f"prefill[{position}].fields"))
    return findings


def _prefill_about(d: Definition) -> list[Finding]:
    findings = []
    for index, entry in _items(d.data.get("prefill")):
        about = entry.get("about")
        if not isinstance(about, str) or not about.startswith("antwoord."):
            continue
        name = about.removeprefix("antwoord.")
        if name not in d.questions:
            findings.append(d.finding("prefill-about", f"{name!r} is geen id van een vraag; about: "
                                      "antwoord.<vraag> noemt de vraag waarvan het antwoord het BSN is",
                                      f"prefill[{index}].about"))
    return findings


def _consent_address(d: Definition) -> list[Finding]:
    findings = []
    for index, consent in _items(d.data.get("consent")):
        name = consent.get("address")
        if not isinstance(name, str):
            continue
        question = d.questions.get(name, ("", {}))[1]
        if question.get("type") != "address":
            problem = (f"is een vraag van het type {question.get('type')}" if question else
                       "is geen id van een vraag")
            findings.append(d.finding("consent-address", f"{name!r} {problem}; consent noemt de adresvraag "
                                      "naar wier bewoners wordt gevraagd", f"consent[{index}].address"))
    return findings


# --- references to the manifest's zaaktype ----------------------------------------------------------------------


def _names(zaaktype: dict[str, Any], key: str, attribute: str) -> list[str]:
    return [item[attribute] for _, item in _items(zaaktype.get(key)) if isinstance(item.get(attribute), str)]


def _unknown(d: Definition, rule: str, value: Any, known: list[str], what: str, path: str) -> list[Finding]:
    if not isinstance(value, str) or value in known:
        return []
    return [d.finding(rule, f"{value!r} is geen {what} van het zaaktype in plein.yaml (daar: {_listed(known)})",
                      path)]


def _case_zaaktype(d: Definition) -> list[Finding]:
    wanted = _dict(d.data.get("case")).get("zaaktype")
    if d.manifest is None or not isinstance(wanted, str) or d.zaaktype() is not None:
        return []
    known = [item["identificatie"] for _, item in _items(d.manifest.get("zaaktypen"))
             if isinstance(item.get("identificatie"), str)]
    return [d.finding("unknown-zaaktype", f"{wanted!r} is geen identificatie van een zaaktype in plein.yaml "
                      f"(daar: {_listed(known)})", "case.zaaktype")]


def _case_parts(d: Definition) -> list[Finding]:
    """Eigenschappen, roltypen, resultaattypen and informatieobjecttypen are those of the case's zaaktype."""
    zaaktype = d.zaaktype()
    if zaaktype is None:
        return []  # _case_zaaktype reports it
    case, decision = _dict(d.data.get("case")), _dict(d.data.get("decision"))
    eigenschappen = _names(zaaktype, "eigenschappen", "naam")
    findings = []
    for name in _dict(case.get("eigenschappen")):
        findings += _unknown(d, "unknown-eigenschap", name, eigenschappen, "eigenschap",
                             f"case.eigenschappen.{name}")
    roltypen = _names(zaaktype, "roltypen", "omschrijving")
    for index, betrokkene in _items(case.get("betrokkenen")):
        findings += _unknown(d, "unknown-roltype", betrokkene.get("roltype"), roltypen, "omschrijving van een roltype",
                             f"case.betrokkenen[{index}].roltype")
    resultaattypen = _names(zaaktype, "resultaattypen", "omschrijving")
    for outcome in ("toegekend", "afgewezen"):
        findings += _unknown(d, "unknown-resultaattype", _dict(decision.get(outcome)).get("resultaattype"),
                             resultaattypen, "omschrijving van een resultaattype", f"decision.{outcome}.resultaattype")
    return findings + _documents(d, zaaktype, case)


def _documents(d: Definition, zaaktype: dict[str, Any], case: dict[str, Any]) -> list[Finding]:
    """Uploads and documents the effects make are of informatieobjecttypen of the case's zaaktype."""
    known = _names(zaaktype, "informatieobjecttypen", "omschrijving")
    what = "omschrijving van een informatieobjecttype"
    findings: list[Finding] = []
    for path, question in d.question_list:
        if question.get("type") == "document":
            findings += _unknown(d, "unknown-informatieobjecttype", question.get("informatieobjecttype"), known, what,
                                 f"{path}.informatieobjecttype")
    for index, effect in _items(d.data.get("effects")):
        if effect.get("type") == "document":
            findings += _unknown(d, "unknown-informatieobjecttype", effect.get("informatieobjecttype"), known, what,
                                 f"effects[{index}].informatieobjecttype")
    return findings


# --- JSON Logic and the data it reads ---------------------------------------------------------------------------


def logic_places(data: Any) -> dict[str, Any]:
    """Every place in a definition that the schema marks as JSON Logic ($defs/logic, and $defs/text when it is an
    object), by dotted path. The schema is the one source: a new logic field needs no change here."""
    schema = service_schema()
    return {path: text_keys(expression) for path, expression in _places(schema, schema, data, "")}


def text_keys(value: Any) -> Any:
    """The value with every mapping key as text, as JSON has it (YAML also allows numbers, dates, ... as keys)."""
    if isinstance(value, dict):
        return {str(key): text_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [text_keys(item) for item in value]
    return value


def _places(root: dict[str, Any], node: Any, data: Any, path: str) -> Iterator[tuple[str, Any]]:
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if ref == LOGIC_REF or (ref == TEXT_REF and isinstance(data, dict)):
        yield path, data
        return
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        yield from _places(root, root["$defs"].get(ref.removeprefix("#/$defs/")), data, path)
    for branch in _branches(node, data):
        yield from _places(root, branch, data, path)
    if isinstance(data, dict):
        properties, extra = _dict(node.get("properties")), node.get("additionalProperties")
        for key, value in data.items():
            child = properties.get(key, extra)
            yield from _places(root, child, value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _places(root, node.get("items"), item, f"{path}[{index}]")


def _branches(node: dict[str, Any], data: Any) -> Iterator[Any]:
    """The parts of allOf that apply to the data: plain parts, and `then`/`else` as the data meets `if`."""
    for part in node.get("allOf") or []:
        if not isinstance(part, dict) or "if" not in part:
            yield part
        elif Draft202012Validator(part["if"]).is_valid(data):
            yield part.get("then")
        else:
            yield part.get("else")


def _logic(d: Definition) -> list[Finding]:
    findings = []
    for path, expression in d.places.items():
        for problem in logic.problems(expression, path):
            where, _, message = problem.partition(": ")
            findings.append(d.finding("logic", f"geen JSON Logic die Plein uitvoert: {message}", where or path))
    return findings


def _variables(d: Definition) -> list[Finding]:
    """Every var path starts with a known root, and the question, prefill entry, check or option it names exists."""
    known: dict[str, tuple[set[str] | None, str]] = {
        "antwoorden": (set(d.questions), "id van een vraag"),
        "prefill": (set(d.prefill), "id van een prefill-regel"),
        "controles": (set(d.ids("checks")), "id van een controle"),
        "opties": (d.options(), "optie in het optieschema van plein.yaml"),
    }
    findings = []
    for path, expression in d.places.items():
        for name in sorted(logic.variables(expression)):
            root, _, rest = name.partition(".")
            head = rest.split(".", 1)[0]
            where = _var_path(expression, name, path) or path
            roots = DOCUMENT_ROOTS if _in_document(d, path) else ROOTS
            if root not in roots:
                findings.append(d.finding("variable-root", f"leest {name!r}, maar een expressie leest alleen "
                                          f"{', '.join(roots)}", where))
                continue
            names, what = known.get(root, (None, ""))
            if names is not None and head and head not in names:
                findings.append(d.finding(f"variable-{_RULE_OF_ROOT[root]}", f"leest {name!r}, maar {head!r} is geen "
                                          f"{what} (bekend: {_listed(sorted(names))})", where))
    return findings


def _in_document(d: Definition, path: str) -> bool:
    """The expression is part of a document effect (effects[i] of type document)."""
    found = re.match(r"effects\[(\d+)\]", path)
    effects = d.data.get("effects")
    if found is None or not isinstance(effects, list) or int(found[1]) >= len(effects):
        return False
    effect = effects[int(found[1])]
    return isinstance(effect, dict) and effect.get("type") == "document"


_RULE_OF_ROOT = {"antwoorden": "question", "prefill": "prefill", "controles": "check", "opties": "option"}


def _var_path(expression: Any, name: str, path: str) -> str | None:
    """The dotted path of the first `var` operation in the expression that reads the name."""
    if isinstance(expression, list):
        for index, item in enumerate(expression):
            found = _var_path(item, name, f"{path}[{index}]")
            if found:
                return found
        return None
    if not isinstance(expression, dict):
        return None
    argument = expression.get("var")
    if argument == name or (isinstance(argument, list) and argument[:1] == [name]):
        return path
    for key, value in expression.items():
        found = _var_path(value, name, f"{path}.{key}")
        if found:
            return found
    return None


# --- grants: the data prefill reads, the changes effects make -----------------------------------------------------


def _data_requests(manifest: dict[str, Any], register: Any, activity: Any) -> list[dict[str, Any]]:
    requires = _dict(manifest.get("requires"))
    return [item for _, item in _items(requires.get("data"))
            if item.get("register") == register and item.get("activity") == activity]


def _known_fields(entry: dict[str, Any]) -> frozenset[str] | None:
    """The fields of the prefill entry's register (None for a register Plein does not have: the schema says so)."""
    register = entry.get("register")
    return register_fields(register) if isinstance(register, str) else None


def _fields(entry: dict[str, Any]) -> list[Any]:
    value = entry.get("fields")
    return value if isinstance(value, list) else []


def _prefill_fields(d: Definition) -> list[Finding]:
    """Each prefill field exists in its register."""
    findings = []
    for index, entry in _items(d.data.get("prefill")):
        known = _known_fields(entry)
        if known is None:
            continue
        for position, name in enumerate(_fields(entry)):
            if isinstance(name, str) and name not in known:
                findings.append(d.finding("prefill-unknown-field", f"{name!r} is geen veld van het "
                                          f"register {entry['register']}", f"prefill[{index}].fields[{position}]"))
    return findings


def _prefill_grants(d: Definition) -> list[Finding]:
    """Each prefill read is covered by requires.data: the same register and activity, and a granted field that is
    the field or contains it."""
    if d.manifest is None:
        return []
    findings = []
    for index, entry in _items(d.data.get("prefill")):
        register, activity = entry.get("register"), entry.get("activity")
        requests = _data_requests(d.manifest, register, activity)
        if not requests:
            findings.append(d.finding("prefill-not-granted", f"plein.yaml vraagt geen gegevens uit {register} voor "
                                      f"activiteit {activity!r}; voeg een requires.data-regel toe met register "
                                      f"{register} en die activiteit", f"prefill[{index}].activity"))
            continue
        granted = [name for request in requests for name in _fields(request) if isinstance(name, str)]
        known = _known_fields(entry)
        for position, name in enumerate(_fields(entry)):
            if not isinstance(name, str) or (known is not None and name not in known):
                continue  # _prefill_fields reports a field the register does not have
            if not any(covers(grant, name) for grant in granted):
                findings.append(d.finding("prefill-not-granted", f"{name!r} is niet toegestaan: geen "
                                          f"requires.data-regel voor register {register} en activiteit {activity} "
                                          "noemt het of een veld dat het bevat",
                                          f"prefill[{index}].fields[{position}]"))
    return findings


def _effects(d: Definition) -> list[Finding]:
    """Effects come from Plein's vocabulary, and each register change is a write grant the manifest asks for."""
    requires = _dict((d.manifest or {}).get("requires"))
    writes = {(item.get("register"), item.get("mutation")) for _, item in _items(requires.get("writes"))}
    findings = []
    for index, effect in _items(d.data.get("effects")):
        kind, path = effect.get("type"), f"effects[{index}].type"
        if not isinstance(kind, str):
            continue
        if kind not in EFFECT_WRITES:
            findings.append(d.finding("unknown-effect", f"{kind!r} is geen effect dat Plein kent (bekend: "
                                      f"{_listed(EFFECT_WRITES)})", path))
        elif (needed := EFFECT_WRITES[kind]) is not None and d.manifest is not None and needed not in writes:
            register, mutation = needed
            findings.append(d.finding("effect-not-granted", f"het effect {kind} wijzigt het register {register} "
                                      f"({mutation}); voeg aan plein.yaml een requires.writes-regel toe met register "
                                      f"{register} en mutation {mutation}", path))
        elif kind == "document":
            findings += _template(d, effect, f"effects[{index}]")
    return findings


def _template(d: Definition, effect: dict[str, Any], base: str) -> list[Finding]:
    """A document effect's template is in the package's service/ folder and is a Jinja template; the prefill
    entries it reads again exist."""
    findings = [d.finding("unknown-prefill", f"{name!r} is geen prefill-regel (daar: {_listed(d.prefill)})",
                          f"{base}.actueel[{position}]")
                for position, name in enumerate(effect.get("actueel") or []) if name not in d.prefill]
    template = effect.get("template")
    if not isinstance(template, str):
        return findings
    source = d.files.get(f"service/{template}")
    if source is None:
        return [*findings, d.finding("unknown-template", f"het pakket heeft geen service/{template}",
                                     f"{base}.template")]
    try:
        ImmutableSandboxedEnvironment().parse(source.decode("utf-8"))
    except (UnicodeDecodeError, TemplateSyntaxError) as exc:
        where = f" (regel {exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
        findings.append(d.finding("template",
                                  f"service/{template} is geen sjabloon dat Plein kan invullen{where}: {exc}",
                                  f"{base}.template"))
    return findings


def _assurance(d: Definition) -> list[Finding]:
    """Each way in names a level of the login its audience uses (the main one, and each of alsoFor)."""
    ways = [(d.data, ""), *((item, f"alsoFor[{index}].") for index, item in _items(d.data.get("alsoFor")))]
    findings = []
    for way, prefix in ways:
        audience, assurance = way.get("audience"), way.get("assurance")
        if not isinstance(audience, str) or audience not in ASSURANCE:
            continue
        levels = ASSURANCE[audience]
        if isinstance(assurance, str) and assurance not in levels:
            findings.append(d.finding("assurance", f"{assurance!r} is geen niveau van {LOGIN[audience]}, en een "
                                      f"{audience} logt in met {LOGIN[audience]}; gebruik een van {', '.join(levels)}",
                                      f"{prefix}assurance"))
    return findings


RULES: list[Rule] = [
    _identifiers, _handled_by, _persons_sources, _huisgenoten, _prefill_about, _consent_address, _case_zaaktype,
    _case_parts, _logic, _variables, _prefill_fields, _prefill_grants, _effects, _assurance,
]

CHECK = Check("service", "Dienst: de dienstdefinitie, haar verwijzingen, regels en rechten", "1", check_service)

"""The keys of publiccode.yml (core and the Italian section) and the rules that span several keys."""

from __future__ import annotations

import difflib
from typing import Any

from plein.store.publiccode.context import Context, join
from plein.store.publiccode.licence import check_license
from plein.store.publiccode.spec import Date, Flag, Key, ListOf, PerLanguage, Section, Text, TextOrList, is_blank
from plein.store.publiccode.values import (
    check_country,
    check_email,
    check_language,
    check_mime_type,
    check_phone,
    check_repository_url,
    check_uri,
    check_web_url,
    enum_of,
    image_file,
    length_between,
    max_length,
    package_file,
    uri_problem,
)
from plein.store.publiccode.vocab import ALIASES, CATEGORIES, SCOPES

SUPPORTED_VERSIONS = ("0", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7")
DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend",
    "standalone/other", "addon", "library", "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
LOGO_FORMATS = (".svg", ".svgz", ".png")
SCREENSHOT_FORMATS = (".png", ".jpg", ".jpeg")


def check_version(ctx: Context, path: str, value: str) -> None:
    if value in SUPPORTED_VERSIONS:
        return
    supported = ", ".join(f'"{version}"' for version in SUPPORTED_VERSIONS)
    short = ".".join(value.split(".")[:2])
    hint = f' (schrijf "{short}")' if short in SUPPORTED_VERSIONS and short != "0" else ""
    ctx.error("publiccode.version", path,
              f"{path} '{value}' wordt niet ondersteund{hint}; ondersteunde versies: {supported}")


def check_category(ctx: Context, path: str, value: str) -> None:
    if value not in CATEGORIES:
        close = difflib.get_close_matches(value, sorted(CATEGORIES), n=1)
        hint = f" (bedoelt u '{close[0]}'?)" if close else ""
        ctx.error(
            "publiccode.category", path,
            f"{path} '{value}' staat niet in de lijst met categorieën van de standaard{hint}; gebruik een waarde "
            "uit die lijst, bijvoorbeeld document-management, workflow-management of other",
        )


def check_scope(ctx: Context, path: str, value: str) -> None:
    if value not in SCOPES:
        ctx.error(
            "publiccode.scope", path,
            f"{path} '{value}' staat niet in de lijst met toepassingsgebieden; toegestaan: {', '.join(sorted(SCOPES))}",
        )


def check_support_id(ctx: Context, path: str, value: str) -> None:
    if value.startswith("alias:"):
        if value[len("alias:") :] not in ALIASES:
            ctx.error(
                "publiccode.alias", path,
                f"{path} '{value}' is geen bekende alias; bekende aliassen: "
                + ", ".join(f"alias:{name}" for name in ALIASES),
            )
        return
    problem = uri_problem(value)
    if problem:
        ctx.error("publiccode.uri", path, f"{path} '{value}' {problem}; of gebruik een alias zoals alias:gdpr")


def maintenance_rules(ctx: Context, path: str, section: dict[Any, Any]) -> None:
    """contractors exactly when type is contract; contacts when type is internal or community."""
    kind = section.get("type")
    if not isinstance(kind, str) or kind not in MAINTENANCE_TYPES:
        return
    contractors, contacts = join(path, "contractors"), join(path, "contacts")
    if kind == "contract" and is_blank(section.get("contractors")):
        ctx.error(
            "publiccode.required", contractors,
            f"{contractors} ontbreekt; dit is verplicht als {path}.type contract is (name en until per opdrachtnemer)",
        )
    if kind != "contract" and "contractors" in section:
        ctx.error(
            "publiccode.not-allowed", contractors,
            f"{contractors} mag alleen als {path}.type contract is (gevonden: '{kind}'); verwijder het of "
            "wijzig het type",
        )
    if kind in ("internal", "community") and is_blank(section.get("contacts")):
        ctx.error(
            "publiccode.required", contacts,
            f"{contacts} ontbreekt; dit is verplicht als {path}.type {kind} is (minstens één contactpersoon met naam)",
        )


def description_rules(ctx: Context, path: str, languages: dict[Any, Any]) -> None:
    """longDescription and features must each be given in at least one language (an empty list or text is not)."""
    bodies = [body for body in languages.values() if isinstance(body, dict)]
    if not bodies:
        return
    for name in ("longDescription", "features"):
        if all(is_blank(body.get(name)) for body in bodies):
            ctx.error(
                "publiccode.required", path,
                f"{path} heeft in geen enkele taal een {name}; de standaard vraagt die in minstens één taal",
            )


def top_level_rules(ctx: Context, path: str, document: dict[Any, Any]) -> None:
    """The Italian section may be written IT or it, but only once."""
    if "IT" in document and "it" in document:
        ctx.error("publiccode.duplicate-key", "it", "het Italiaanse deel staat er twee keer (IT en it); houd alleen IT")


DEPENDENCY = Section({
    "name": Key(Text(), required=True),
    "versionMin": Key(Text()),
    "versionMax": Key(Text()),
    "version": Key(Text()),
    "optional": Key(Flag()),
})
CONTACT = Section({
    "name": Key(Text(), required=True),
    "email": Key(Text(check_email)),
    "phone": Key(Text(check_phone)),
    "affiliation": Key(Text()),
})
CONTRACTOR = Section({
    "name": Key(Text(), required=True),
    "until": Key(Date(), required=True),
    "email": Key(Text(check_email)),
    "website": Key(Text(check_web_url)),
})
ORGANISATION = Section({
    "name": Key(Text(), required=True),
    "uri": Key(Text(check_uri)),
})
DESCRIPTION = Section({
    "localisedName": Key(Text()),
    "genericName": Key(
        Text(max_length("publiccode.generic-name-length", 35)),
        deprecated="verwijder het; de sleutel categories zegt wat voor software dit is",
    ),
    "shortDescription": Key(Text(max_length("publiccode.short-description-length", 150)), required=True),
    "longDescription": Key(Text(length_between("publiccode.long-description-length", 150, 10_000))),
    "documentation": Key(Text(check_web_url)),
    "apiDocumentation": Key(Text(check_web_url)),
    "features": Key(ListOf(Text())),
    "screenshots": Key(ListOf(Text(package_file("een schermafbeelding", SCREENSHOT_FORMATS)))),
    "videos": Key(ListOf(Text(check_web_url))),
    "awards": Key(ListOf(Text())),
})

_SUPPORTS = "noem het onder supports met id alias:{}"
ITALY = Section({
    "countryExtensionVersion": Key(Text(enum_of("1.0")), required=True),
    "conforme": Key(Section({
        "lineeGuidaDesign": Key(Flag(), deprecated="verwijder het; die richtlijnen gelden niet meer"),
        "modelloInteroperabilita": Key(Flag(), deprecated="verwijder het; die richtlijnen gelden niet meer"),
        "misureMinimeSicurezza": Key(Flag(), deprecated="remove it"),
        "gdpr": Key(Flag(), deprecated=_SUPPORTS.format("gdpr")),
    })),
    "piattaforme": Key(Section({
        platform: Key(Flag(), deprecated=_SUPPORTS.format(platform))
        for platform in ("spid", "cie", "anpr", "pagopa", "io")
    })),
    "riuso": Key(Section({
        "codiceIPA": Key(Text(), deprecated="use organisation.uri instead"),
    })),
})
_ITALY_DEPRECATED = (
    "het hele Italiaanse deel verdwijnt in publiccode.yml 1.0; gebruik in plaats daarvan supports (bijvoorbeeld "
    "alias:spid) en organisation"
)

LOGO = Text(image_file("een logo", LOGO_FORMATS))
DOCUMENT = Section({
    "publiccodeYmlVersion": Key(Text(check_version), required=True),
    "name": Key(Text(), required=True),
    "applicationSuite": Key(Text()),
    "url": Key(Text(check_repository_url), required=True),
    "landingURL": Key(Text(check_web_url)),
    "isBasedOn": Key(TextOrList(Text(check_repository_url))),
    "softwareVersion": Key(Text()),
    "releaseDate": Key(Date()),
    "logo": Key(LOGO),
    "monochromeLogo": Key(LOGO, deprecated="gebruik alleen logo"),
    "inputTypes": Key(ListOf(Text(check_mime_type)), deprecated="verwijder het; de standaard gebruikt het niet meer"),
    "outputTypes": Key(ListOf(Text(check_mime_type)), deprecated="verwijder het; de standaard gebruikt het niet meer"),
    "platforms": Key(TextOrList(Text()), required=True),
    "categories": Key(ListOf(Text(check_category))),
    "usedBy": Key(ListOf(Text())),
    "fundedBy": Key(ListOf(ORGANISATION)),
    "roadmap": Key(Text(check_web_url)),
    "developmentStatus": Key(Text(enum_of(*DEVELOPMENT_STATUSES)), required=True),
    "softwareType": Key(Text(enum_of(*SOFTWARE_TYPES)), required=True),
    "supports": Key(ListOf(Section({"id": Key(Text(check_support_id), required=True)}))),
    "organisation": Key(Section({"uri": Key(Text(check_uri), required=True), "name": Key(Text())})),
    "intendedAudience": Key(Section({
        "countries": Key(ListOf(Text(check_country))),
        "unsupportedCountries": Key(ListOf(Text(check_country))),
        "scope": Key(ListOf(Text(check_scope))),
    })),
    "description": Key(PerLanguage(DESCRIPTION, after=description_rules), required=True),
    "legal": Key(Section({
        "license": Key(Text(check_license), required=True),
        "mainCopyrightOwner": Key(Text()),
        "repoOwner": Key(Text(), deprecated="use organisation.name instead"),
        "authorsFile": Key(
            Text(package_file("een auteursbestand", ())),
            deprecated="verwijder het; noem de houder van het auteursrecht in legal.mainCopyrightOwner",
        ),
    }), required=True),
    "maintenance": Key(Section({
        "type": Key(Text(enum_of(*MAINTENANCE_TYPES)), required=True),
        "contractors": Key(ListOf(CONTRACTOR)),
        "contacts": Key(ListOf(CONTACT)),
    }, after=maintenance_rules), required=True),
    "localisation": Key(Section({
        "localisationReady": Key(Flag(), required=True),
        "availableLanguages": Key(ListOf(Text(check_language)), required=True),
    }), required=True),
    "dependsOn": Key(Section({
        "open": Key(ListOf(DEPENDENCY)),
        "proprietary": Key(ListOf(DEPENDENCY)),
        "hardware": Key(ListOf(DEPENDENCY)),
    })),
    "IT": Key(ITALY, deprecated=_ITALY_DEPRECATED, advisory=True),
    "it": Key(ITALY, deprecated=_ITALY_DEPRECATED, advisory=True),
}, after=top_level_rules)

"""A service definition (service/service.yaml of an admitted release) as the engine reads it: steps, questions and
the blocks around them. The store's admission check has validated it against plein-service-1.json."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

DOCUMENT_FORMATS = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
ANSWERLESS = frozenset({"known"})


@dataclass(frozen=True)
class Question:
    """One question of a step; `spec` is its block of the definition (type-specific keys included)."""

    id: str
    type: str
    label: str
    help: str
    required: bool
    when: Any
    spec: dict[str, Any]

    @property
    def asks(self) -> bool:
        """Whether the question takes an answer (a `known` block only shows what is known)."""
        return self.type not in ANSWERLESS

    @property
    def many(self) -> bool:
        """Whether the answer is a list (persons, or a choice of several)."""
        return self.type == "persons" or (self.type == "choice" and bool(self.spec.get("multiple")))


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    intro: str
    when: Any
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Definition:
    """The parsed definition; the blocks the engine reads as they are stay dicts (`raw`)."""

    raw: dict[str, Any]
    steps: tuple[Step, ...]
    questions: dict[str, Question] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)  # the package's service/templates/*.html, by path

    @property
    def title(self) -> str:
        return str(self.raw["title"])

    @property
    def summary(self) -> str:
        return str(self.raw.get("summary", ""))

    @property
    def audience(self) -> str:
        return str(self.raw["audience"])

    @property
    def assurance(self) -> str:
        return str(self.raw["assurance"])

    @property
    def prefill(self) -> list[dict[str, Any]]:
        return list(self.raw.get("prefill") or [])

    @property
    def handled_by(self) -> dict[str, Any] | None:
        block = self.raw.get("handledBy")
        return block if isinstance(block, dict) else None

    @property
    def checks(self) -> list[dict[str, Any]]:
        return list(self.raw.get("checks") or [])

    @property
    def consent(self) -> list[dict[str, Any]]:
        return list(self.raw.get("consent") or [])

    @property
    def appointment(self) -> dict[str, Any] | None:
        block = self.raw.get("appointment")
        return block if isinstance(block, dict) else None

    @property
    def case(self) -> dict[str, Any]:
        return dict(self.raw["case"])

    @property
    def decision(self) -> dict[str, Any]:
        return dict(self.raw["decision"])

    @property
    def effects(self) -> list[dict[str, Any]]:
        return list(self.raw.get("effects") or [])

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)

    def step_of(self, question_id: str) -> Step | None:
        return next((step for step in self.steps if any(q.id == question_id for q in step.questions)), None)


def _question(spec: dict[str, Any]) -> Question:
    return Question(id=spec["id"], type=spec["type"], label=spec["label"], help=spec.get("help", ""),
                    required=bool(spec.get("required", True)), when=spec.get("when"), spec=spec)


def parse(raw: dict[str, Any], templates: dict[str, str] | None = None) -> Definition:
    """The definition of a validated service.yaml, with its templates."""
    steps = tuple(Step(id=step["id"], title=step["title"], intro=step.get("intro", ""), when=step.get("when"),
                       questions=tuple(_question(question) for question in step["questions"]))
                  for step in raw["steps"])
    questions = {question.id: question for step in steps for question in step.questions}
    return Definition(raw, steps, questions, dict(templates or {}))


def of_release(release_id: uuid.UUID, raw: dict[str, Any], templates: dict[str, str] | None = None) -> Definition:
    """The definition of a release, parsed once per process (an admitted release never changes)."""
    found = _PARSED.get(release_id)
    if found is None:
        found = _PARSED[release_id] = parse(raw, templates)
        if len(_PARSED) > CACHED:
            _PARSED.pop(next(iter(_PARSED)))
    return found


CACHED = 256
_PARSED: dict[uuid.UUID, Definition] = {}

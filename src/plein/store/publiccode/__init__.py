"""Strict validation of publiccode.yml, the standard that describes a package in the store (admission check 1)."""

from plein.store.publiccode.validator import PubliccodeResult, validate_publiccode

__all__ = ["PubliccodeResult", "validate_publiccode"]

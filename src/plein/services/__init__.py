"""The service engine: runs the declarative services of adopted apps (form with prefill → zaak → decision → effects)."""

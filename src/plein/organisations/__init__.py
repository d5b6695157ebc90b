"""Municipalities and other organisations: identifiers (CBS code, OIN, RSIN), slugs and themes."""

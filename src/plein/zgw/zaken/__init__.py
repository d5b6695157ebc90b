"""The Zaken API 1.5.1: zaken and what belongs to them, with the standard's rules, audit trail and notifications."""

"""The exchange layer: API clients, processing activities, grants, the processing log and citizen insight."""

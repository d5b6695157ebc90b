"""Cases under the ZGW standards: Catalogi, Zaken, Documenten, Besluiten and Autorisaties, at their standard paths."""

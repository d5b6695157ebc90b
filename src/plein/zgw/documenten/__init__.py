"""The Documenten API 1.4.2: informatieobjecten with their versions and contents, gebruiksrechten, relations to
zaken and besluiten, and verzendingen."""

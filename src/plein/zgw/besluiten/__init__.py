"""The Besluiten API 1.1.0: besluiten and their besluitinformatieobjecten, mirrored on the Zaken and Documenten side."""

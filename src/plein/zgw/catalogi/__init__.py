"""The Catalogi API 1.3.1: catalogussen, their zaaktypen (with parts), informatieobjecttypen and besluittypen."""

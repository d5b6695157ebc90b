"""The BRP register: persons in the shape of Haal Centraal BRP Personen 2.7.0, with their history.

Modules: models (tables), lo3 (LO3 dates and national tables), spec (the shipped specification and its field paths),
schemas (the query and its validation), query (the SQL of each query type), present (rows to Haal Centraal JSON,
fields filtering) with naam (voorletters, volledigeNaam, the forms of address), adressering (address lines),
onderzoek (inOnderzoek) and gezag (authority over minors), historie (BRP Historie: residences in a period), service
(reads through the exchange layer and every mutation), api (POST /haalcentraal/api/brp/personen and
/haalcentraal/api/brphistorie/verblijfplaatshistorie) and openapi (the Personen specification next to it).
"""

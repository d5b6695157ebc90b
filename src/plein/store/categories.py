"""Dutch names for the categories of publiccode.yml, as the store's pages show them (the values stay the standard's)."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "accounting": "Boekhouding", "agile-project-management": "Agile projectmanagement",
    "applicant-tracking": "Werving en selectie", "application-development": "Applicatieontwikkeling",
    "appointment-scheduling": "Afspraken plannen", "backup": "Back-up", "billing-and-invoicing": "Facturatie",
    "blog": "Blog", "budgeting": "Begroting", "business-intelligence": "Bedrijfsinformatie (BI)",
    "business-process-management": "Bedrijfsprocesbeheer", "cad": "Computerondersteund ontwerpen (CAD)",
    "call-center-management": "Klantcontactcentrum", "cloud-management": "Cloudbeheer",
    "collaboration": "Samenwerken", "communications": "Communicatie",
    "compliance-management": "Naleving (compliance)", "contact-management": "Contactbeheer",
    "content-management": "Contentbeheer", "crm": "Klantrelatiebeheer (CRM)",
    "customer-service-and-support": "Klantenservice", "data-analytics": "Data-analyse",
    "data-collection": "Gegevens verzamelen", "data-visualization": "Datavisualisatie", "design": "Ontwerp",
    "design-system": "Designsysteem", "digital-asset-management": "Beheer van digitale bestanden",
    "digital-citizenship": "Digitaal burgerschap", "document-management": "Documentbeheer",
    "donor-management": "Donateursbeheer", "e-commerce": "Webwinkel", "e-signature": "Elektronisch ondertekenen",
    "educational-content": "Lesmateriaal", "email-management": "E-mailbeheer",
    "email-marketing": "E-mailmarketing", "employee-management": "Personeelsbeheer",
    "enterprise-project-management": "Projectportfoliobeheer",
    "enterprise-social-networking": "Intern sociaal netwerk", "erp": "Bedrijfsvoering (ERP)",
    "event-management": "Evenementenbeheer", "facility-management": "Facilitair beheer",
    "feedback-and-reviews-management": "Feedback en beoordelingen", "financial-reporting": "Financiële verslaglegging",
    "fleet-management": "Wagenparkbeheer", "fundraising": "Fondsenwerving", "gamification": "Spelelementen",
    "geographic-information-systems": "Geografische informatie (GIS)", "grant-management": "Subsidiebeheer",
    "graphic-design": "Grafisch ontwerp", "help-desk": "Helpdesk", "hr": "Personeelszaken (HR)",
    "ide": "Ontwikkelomgeving (IDE)", "identity-management": "Identiteitsbeheer",
    "instant-messaging": "Chatberichten", "integrated-library-system": "Bibliotheeksysteem",
    "inventory-management": "Voorraadbeheer", "it-asset-management": "Beheer van ICT-middelen",
    "it-development": "ICT-ontwikkeling", "it-management": "ICT-beheer", "it-security": "Informatiebeveiliging",
    "it-service-management": "ICT-dienstverlening", "knowledge-management": "Kennisbeheer",
    "learning-management-system": "Leeromgeving", "marketing": "Marketing", "mind-mapping": "Mindmappen",
    "mobile-marketing": "Mobiele marketing", "mobile-payment": "Mobiel betalen", "network-management": "Netwerkbeheer",
    "office": "Kantoorsoftware", "online-booking": "Online reserveren", "online-community": "Online gemeenschap",
    "other": "Overig", "payment-gateway": "Betaalvoorziening", "payroll": "Salarisadministratie",
    "predictive-analysis": "Voorspellende analyse", "procurement": "Inkoop", "productivity-suite": "Kantoorpakket",
    "project-collaboration": "Samenwerken in projecten", "project-management": "Projectmanagement",
    "property-management": "Vastgoedbeheer", "real-estate-management": "Onroerendgoedbeheer",
    "regulations-and-directives": "Regelgeving en richtlijnen", "remote-support": "Ondersteuning op afstand",
    "resource-management": "Capaciteitsplanning", "sales-management": "Verkoopbeheer",
    "seo": "Vindbaarheid in zoekmachines (SEO)", "service-desk": "Servicedesk",
    "social-media-management": "Beheer van sociale media", "survey": "Enquêtes", "talent-management": "Talentbeheer",
    "task-management": "Takenbeheer", "taxes-management": "Belastingen", "test-management": "Testbeheer",
    "time-management": "Tijdbeheer", "time-tracking": "Urenregistratie", "translation": "Vertalen",
    "video-conferencing": "Videovergaderen", "video-editing": "Videobewerking", "visitor-management": "Bezoekersbeheer",
    "voip": "Internettelefonie (VoIP)", "warehouse-management": "Magazijnbeheer",
    "web-collaboration": "Samenwerken op het web", "web-conferencing": "Webvergaderen",
    "website-builder": "Websites bouwen", "whistleblowing": "Klokkenluidersmeldingen",
    "workflow-management": "Werkstroombeheer",
}


def label(category: str) -> str:
    """The Dutch name of a category; an unknown value (from an older list) is made readable."""
    return LABELS.get(category) or category.replace("-", " ").capitalize()

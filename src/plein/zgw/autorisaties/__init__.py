"""The Autorisaties API 1.0.0: which ZGW scopes each application's clients hold, per type and confidentiality."""

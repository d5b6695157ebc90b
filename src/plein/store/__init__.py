"""The municipal app store: app packages, admission checks, releases, search and adoptions."""

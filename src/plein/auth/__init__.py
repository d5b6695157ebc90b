"""Who is asking: staff accounts with roles per organisation, sessions, and API clients with JWTs."""

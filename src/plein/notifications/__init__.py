"""Notifications: kanalen, abonnementen, the transactional outbox and its delivery worker (ZGW and CloudEvents)."""

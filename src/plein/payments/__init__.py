"""Payments: the fee (leges) for a service, paid through a payment provider (the simulator in dev, demo and test;
Mollie for real money), recorded as paid exactly once."""

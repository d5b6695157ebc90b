"""Source registers (BRP persons, BAG addresses), queried only through the exchange layer."""

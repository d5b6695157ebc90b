"""The BAG register: addresses (nummeraanduidingen with their adresseerbaar object), looked up by forms and the BRP."""

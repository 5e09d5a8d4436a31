"""The REST API: one blueprint module per resource, all under ``/api``."""

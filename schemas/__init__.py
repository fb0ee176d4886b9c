"""Shipped JSON Schemas: package data mapped to scoring.shipped.schemas (see scoring/shipped)."""

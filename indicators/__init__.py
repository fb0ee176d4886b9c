"""Shipped indicator systems and unit lists: package data mapped to scoring.shipped.indicators (see scoring/shipped)."""

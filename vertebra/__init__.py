"""Vertebra: measure and grow a city's resilience maturity."""

__version__ = "0.1.0"

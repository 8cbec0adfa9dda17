"""govflow: workflows for party-building-led grassroots governance."""

from govflow import errors

__version__ = "0.1.0"

__all__ = ["__version__", "errors"]

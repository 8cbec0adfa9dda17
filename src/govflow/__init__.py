"""govflow: workflows for party-building-led grassroots governance."""

from govflow import errors
from govflow.org import OrgGraph, OrgSchema, Person, Unit

__version__ = "0.1.0"

__all__ = ["OrgGraph", "OrgSchema", "Person", "Unit", "__version__", "errors"]

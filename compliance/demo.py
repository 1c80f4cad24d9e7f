"""Compliance reference data is also loaded by `seed_demo`, before any demo product."""

from common import demo
from compliance import loaders


@demo.register(5, "compliance reference data")
def load_reference_data():
    loaders.load_categories()
    loaders.load_screening_rules()
    loaders.load_violation_types()

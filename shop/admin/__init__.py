"""Reviewer screens of the shop app, one module per area."""

from shop.admin import deposits, orders, products, stores  # noqa: F401

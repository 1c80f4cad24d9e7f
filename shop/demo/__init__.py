"""The shop's demo data, registered with `common.demo`: stores (merchants, applications,
products), deposits, orders, and enforcement on merchant_c's store. Importing the package registers every loader."""

from shop.demo import deposits, enforcement, notifications, orders, stores  # noqa: F401

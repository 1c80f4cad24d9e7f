"""Deadline sweeps of the shop app, registered with common.deadlines."""

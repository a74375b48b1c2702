"""Persistence: tables, repositories, the unit of work, field encryption and migrations."""

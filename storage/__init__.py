"""Persistence: SQLModel tables, the async unit of work and repositories, migrations.

The only package that imports sqlmodel / sqlalchemy.
"""

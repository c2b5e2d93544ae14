"""Declarative base shared by all portal tables."""

from sqlalchemy.orm import declarative_base

Base = declarative_base()

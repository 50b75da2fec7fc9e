"""hearth: a local smart-home intent agent."""

__version__ = "0.1.0"

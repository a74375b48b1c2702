"""Safety and care: crisis contacts, opening hours, local resources and staff alerts (docs/SAFETY.md)."""

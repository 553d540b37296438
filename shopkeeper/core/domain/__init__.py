"""Pure domain code shared by every app: no Django imports here."""

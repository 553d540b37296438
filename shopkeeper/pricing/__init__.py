"""Pricing: the pure pipeline that turns a cart into priced lines with explanations."""

"""Shopkeeper: a B2C e-commerce platform and the operations suite around it."""

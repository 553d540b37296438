"""Checkout: carts (guest and customer), shipping fee rules, and turning a cart into an order."""

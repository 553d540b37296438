"""The flash sale's pure rules: what a valid session and item are (no Django)."""

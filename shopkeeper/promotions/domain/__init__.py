"""Promotion rules in pure Python: what each mechanic takes off, stacking, margin guard."""

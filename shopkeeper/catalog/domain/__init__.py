"""Pure catalog rules: compliance scanning, product lifecycle, listing checks, price maths."""

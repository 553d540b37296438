"""Pure generators of realistic Chinese shop data, driven by a seeded random source."""

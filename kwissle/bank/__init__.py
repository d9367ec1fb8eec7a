"""Question banks: the starter bank shipped with Kwissle and importers for public formats."""

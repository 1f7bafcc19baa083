"""The synthetic company: deterministic raw files in the raw contract, with realistic bad rows."""

"""Tools for developing the warehouse: benchmark, consumer contracts, cross-engine comparison."""

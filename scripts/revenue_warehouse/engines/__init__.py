"""The engines the raw files load into besides the DuckDB default: PostgreSQL and Spark."""

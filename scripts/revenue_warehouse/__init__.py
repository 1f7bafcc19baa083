"""revenue_warehouse: the Python side of the revenue analytics warehouse (CLI, pipeline, engines,
synthetic data, outputs, dev tools). The dbt project lives at the repository root."""

"""Load, build, check, publish and run records: the pipeline a warehouse goes through."""

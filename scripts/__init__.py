"""Revenue warehouse tooling: the pipeline's verbs (generate, load, build) behind one CLI."""

"""Consumer stages: classify (understand a fetched page), diff-and-store, alert; and the analysis
and diffing code they share with the CLI."""

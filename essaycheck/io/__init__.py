"""Reading essays and model artefacts from disk."""

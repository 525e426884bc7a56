"""Model building and training tools (never imported by the worker; the `train` extra)."""

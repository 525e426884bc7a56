"""News-ingest worker: Faust stages that turn raw articles into enriched article events."""

__version__ = "0.1.0"

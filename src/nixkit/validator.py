"""PLACEHOLDER: replaced by its owner during this session."""

"""PLACEHOLDER: replaced by its owner during this session."""
class Feature:  # PLACEHOLDER
    pass

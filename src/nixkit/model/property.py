"""PLACEHOLDER: replaced by its owner during this session."""
class Property:  # PLACEHOLDER
    pass

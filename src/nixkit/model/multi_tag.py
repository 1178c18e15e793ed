"""PLACEHOLDER: replaced by its owner during this session."""
class MultiTag:  # PLACEHOLDER
    pass

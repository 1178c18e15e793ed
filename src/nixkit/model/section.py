"""PLACEHOLDER: replaced by its owner during this session."""
class Section:  # PLACEHOLDER
    pass
class S:  # PLACEHOLDER
    pass
class SectionContainer:  # PLACEHOLDER
    pass

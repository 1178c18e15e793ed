"""Package version, as nixio exposes it in ``nixio.info``."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nixkit")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

VERSION = __version__
BRIEF = "The NIX data model and file format for neuroscience data"

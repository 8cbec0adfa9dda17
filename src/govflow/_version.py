"""govflow's version: the one place it is written.

The package (``govflow.__version__``), its distribution metadata and the shipped plugins'
distributions all read it from here (hatch's ``[tool.hatch.version]``), so that a release
changes one line.
"""

__version__ = "0.1.0"

"""Speaking the protocols other systems already speak: :mod:`govflow.interop.open311`."""

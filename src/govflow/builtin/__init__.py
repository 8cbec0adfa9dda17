"""govflow's own behaviour, registered as plugins like any other: the closed-loop workflow,
default deadlines and default routing. ``GOVFLOW_DISABLED_PLUGINS`` can switch each off."""

"""allegiance: simulate how people join an armed group, why they stay, and why and how they leave."""

from .errors import UserError
from .kernel_cache import drop_stale
from .results import Results
from .scenario import Scenario, load
from .simulation import Simulation, run

# before any kernel loads from Numba's cache: drop those that a changed module made stale
drop_stale(__name__)

__all__ = ["Results", "Scenario", "Simulation", "UserError", "load", "run"]
__version__ = "0.1.0"

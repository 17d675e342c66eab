"""allegiance: simulate how people join an armed group, why they stay, and why and how they leave."""

from .errors import UserError
from .results import Results
from .scenario import Scenario, load
from .simulation import Simulation, run

__all__ = ["Results", "Scenario", "Simulation", "UserError", "load", "run"]
__version__ = "0.1.0"

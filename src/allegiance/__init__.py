"""allegiance: simulate how people join an armed group, why they stay, and why they leave."""

from .errors import UserError
from .scenario import Scenario, load

__all__ = ["Scenario", "UserError", "load"]
__version__ = "0.1.0"

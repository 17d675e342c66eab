"""Docking: published models re-implemented on allegiance's array engine, checked against peers."""

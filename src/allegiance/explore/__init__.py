"""A local web explorer: move a lever, run beside the baseline, download what reproduces it."""

"""The outside world: unit files and the rulesets shipped with the library."""

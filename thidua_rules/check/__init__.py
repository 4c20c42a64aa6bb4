"""The checks: syntax nodes to the frozen checked model, every problem collected."""

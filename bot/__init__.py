"""kaizen-bot: the product (workflow, permissions, huddle, measures, rendering, settings, CLI)."""

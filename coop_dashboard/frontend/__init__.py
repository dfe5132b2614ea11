"""Changes to the frontend Reflex generates, made at compile time by Reflex plugins."""

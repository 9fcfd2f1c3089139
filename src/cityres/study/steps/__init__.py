"""Built-in study steps. Every module here registers its steps on import."""

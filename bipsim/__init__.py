"""bipsim."""

"""The Neon integration's business rules: pure Python, no I/O, no frameworks."""

"""A stand-in for Neon that behaves like the real thing: an OAuth server with Ory Hydra v1.11's
rules and the Console API v2's read operations in the shapes of Neon's published OpenAPI document,
quirks included (see quirks.py), with knobs for latency, errors, 429 bursts and dropped
connections. It lives outside the service's hexagon and imports nothing of it."""

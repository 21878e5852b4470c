"""The Litestar HTTP API: thin controllers, authentication, and RFC 9457 problems."""

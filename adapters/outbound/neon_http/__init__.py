"""Neon over the network: the httpx Console API client and the authlib OAuth client."""

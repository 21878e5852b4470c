"""Staging fakes: in-process doubles of every port (the stores in memory; Neon's Console API and
OAuth server played by the stand-in's catalog and authorization server without HTTP). Tests swap
them in through the container's overrides; production settings cannot select them."""

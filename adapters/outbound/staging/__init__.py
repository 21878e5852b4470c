"""Staging fakes of Neon: an in-process Neon (accounts, projects, an OAuth server with Hydra's
rotation rules) behind the same ports as the real adapters, plus its approval page."""

"""The composition root: settings, the container, the app factory and the command line."""

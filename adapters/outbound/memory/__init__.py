"""In-memory stores: the staging fakes of every storage port (state ends with the process)."""

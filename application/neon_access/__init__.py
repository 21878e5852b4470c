"""Talking to Neon on a workspace's behalf: access tokens kept fresh (one refresh per rotation),
Console calls made with them, single flights, and the picker's cursor. Not use cases: the use
cases call these."""

"""The pages a customer clicks: a second inbound adapter on the same use cases as /api.

Server-rendered Jinja2 templates, htmx for the parts that update in place, everything served from
our own origin (``static/``, no build step). Signed in by a server-side session (cookie), never
by the API's bearer token; /api never accepts the cookie (``bootstrap/app.py`` keeps the doors
apart).
"""

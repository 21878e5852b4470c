"""The pages a customer clicks: a second inbound adapter on the same use cases as /api.

Server-rendered Jinja2 templates, htmx for the parts that update in place, everything served from
our own origin (``static/``, no build step). Signed in by a server-side session (cookie), never
by the API's bearer token; /api never accepts the cookie (``bootstrap/app.py`` keeps the doors
apart).

Adding a page:
- a ``Controller`` (one module per area, like ``integrations.py``) whose routes carry
  ``**page(UseCase)`` (guard.py): the session guard signs the member in on every request and
  refuses a member on an admins' use case; ``provide_member`` gives the signed-in ``Member``;
- list it in ``assembly.page_routers`` (the guarded router);
- a template extending ``base.html``, with ``member`` and ``section`` (which nav link is
  current) in its context; forms carry ``{{ csrf_input | safe }}``, htmx requests send the token
  from ``<body hx-headers>`` by themselves;
- no inline ``<script>``, ``style=`` or ``on…=`` attributes: the policy refuses them (put
  behaviour in ``static/produl.js``, looks in ``static/produl.css``);
- failures a use case raises become a page (or, for htmx, ``partials/_refusal.html``) through
  ``errors.PAGE_EXCEPTION_HANDLERS``; not signed in → ``/sign-in?next=…``.
- the Neon project picker is ``partials/_neon_picker.html`` + ``picker.picker_rows``: see the
  partial's header comment.
"""

"""The wiring, checked from the app itself: every use case is registered once and reached by an
inbound adapter (a route, the guard, the callback or a command), every /api route names its use
case, and every use case is plain data: a frozen dataclass in a module named after it."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import re
from pathlib import Path

from litestar.routes import HTTPRoute

from application.permissions import Audience, declaration
from bootstrap.app import create_app
from bootstrap.container import Container, use_cases
from tests.support import make_container

ROOT = Path(__file__).resolve().parents[2]
INBOUND_SOURCES = [ROOT / "bootstrap" / "cli.py", ROOT / "bootstrap" / "app.py"]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _declared_use_cases() -> dict[str, type]:
    """Every class in application/*.py that declares itself a use case, by module name."""
    found = {}
    for source in sorted((ROOT / "application").glob("*.py")):
        module = importlib.import_module(f"application.{source.stem}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and declaration(cls) is not None:
                found[source.stem] = cls
    return found


def _routes() -> list[tuple[str, str, dict[str, object], set[str]]]:
    app = create_app(make_container())
    found: list[tuple[str, str, dict[str, object], set[str]]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if method in {"OPTIONS", "HEAD"}:
                continue
            params = set(inspect.signature(handler.fn).parameters)
            found.append((str(method), route.path, dict(handler.opt), params))
    return found


def test_every_use_case_module_holds_one_use_case_named_after_it() -> None:
    declared = _declared_use_cases()
    assert len(declared) >= 25
    for module, cls in declared.items():
        assert _snake(cls.__name__) == module, f"application/{module}.py holds {cls.__name__}"
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
        body = ast.parse(inspect.getsource(cls)).body[0]
        assert isinstance(body, ast.ClassDef)
        written = {
            n.name for n in body.body if isinstance(n, ast.AsyncFunctionDef | ast.FunctionDef)
        }
        assert "__init__" not in written, f"{cls.__name__} writes its own __init__"
        assert callable(getattr(cls, "execute", None)), f"{cls.__name__} has no execute"
        public = {n for n, v in vars(cls).items() if callable(v) and not n.startswith("_")}
        assert public == {"execute"}, f"{cls.__name__} has more than one entry: {public}"


def test_every_use_case_is_registered_once() -> None:
    registered = use_cases(Container(settings=make_container().settings()))
    classes = [p.provides for p in registered.values()]
    assert len(classes) == len(set(classes))
    assert set(classes) == set(_declared_use_cases().values())
    for name, provider in registered.items():
        assert isinstance(provider.provides, type)
        assert name == _snake(provider.provides.__name__), name


def test_every_api_route_names_a_member_use_case_it_receives() -> None:
    names: dict[object, str] = {p.provides: n for n, p in use_cases(make_container()).items()}
    api = [r for r in _routes() if r[1].startswith("/api")]
    assert len(api) >= 20
    for method, path, opt, params in api:
        use_case = opt.get("use_case")
        declared = declaration(use_case) if isinstance(use_case, type) else None
        assert declared is not None, f"{method} {path} names no use case"
        assert declared.audience in (Audience.MEMBERS, Audience.ADMINS), f"{method} {path}"
        assert names[use_case] in params, f"{method} {path} does not receive {use_case}"


def test_every_registered_use_case_has_an_inbound_adapter() -> None:
    reached = {name for *_, params in _routes() for name in params}
    sources = "\n".join(path.read_text() for path in INBOUND_SOURCES)
    reached |= set(re.findall(r"container\.(\w+)\(\)", sources))
    reached.add("authenticate_member")  # the /api guard (bootstrap/app.py hands it over)
    assert "container.authenticate_member()" in sources
    missing = set(use_cases(make_container())) - reached
    assert missing == set(), f"use cases no route, page or command reaches: {sorted(missing)}"


def test_every_admin_write_confirms_its_actor_inside_the_transaction() -> None:
    for module, cls in _declared_use_cases().items():
        declared = declaration(cls)
        source = inspect.getsource(cls)
        if declared is None or declared.audience is not Audience.ADMINS:
            continue
        if "uow.begin()" in source:
            assert "still_member(stores, actor)" in source or "members.admins(" in source, module


def test_a_subclass_is_not_a_declared_use_case() -> None:
    """Overriding ``execute`` in a subclass would skip the check: such a class is not a use case
    the guard or the container accepts."""
    from application.add_widget import AddWidget

    class Sneaky(AddWidget):
        pass

    assert declaration(AddWidget) is not None and declaration(Sneaky) is None

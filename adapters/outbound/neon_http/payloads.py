"""Tolerant readers of Neon's payloads: only the fields we use, nothing else required.

Neon adds fields, drops `primary` for `default`, omits `synthetic_storage_size` on new projects,
sends year-0001 billing periods and uppercase sort orders; none of that may break a render.
"""

from __future__ import annotations

from datetime import datetime

import msgspec


class User(msgspec.Struct):
    id: str
    email: str = ""
    name: str = ""
    last_name: str = ""


class Organization(msgspec.Struct):
    id: str
    name: str = ""


class Organizations(msgspec.Struct):
    organizations: list[Organization] = []


class ProjectItem(msgspec.Struct):
    id: str
    name: str = ""
    org_id: str | None = None


class Pagination(msgspec.Struct):
    cursor: str | None = None


class Projects(msgspec.Struct):
    projects: list[ProjectItem] = []
    pagination: Pagination | None = None  # absent on an empty list


class Project(msgspec.Struct):
    id: str
    name: str = ""
    synthetic_storage_size: int | None = None
    compute_time_seconds: int = 0
    consumption_period_start: datetime | None = None
    consumption_period_end: datetime | None = None


class ProjectEnvelope(msgspec.Struct):
    project: Project


class Branch(msgspec.Struct):
    id: str
    name: str = ""
    default: bool | None = None
    primary: bool | None = None  # deprecated; read only when `default` is missing
    compute_time_seconds: int = 0
    updated_at: datetime | None = None


class BranchPagination(msgspec.Struct):
    next: str | None = None


class Branches(msgspec.Struct):
    branches: list[Branch] = []
    pagination: BranchPagination | None = None


class Problem(msgspec.Struct):
    message: str = ""
    code: str = ""

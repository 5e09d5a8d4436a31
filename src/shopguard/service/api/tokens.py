"""``/api/tokens``: API tokens for integrations (``Authorization: Bearer sg_…``).

A token acts as the user who made it (same role and cameras). The token itself is shown
once, when created; only its hash is stored. Administrators see and revoke everyone's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from shopguard.service.auth import current, db, new_token
from shopguard.service.errors import ApiError
from shopguard.service.pagination import Page, PageQuery, offset_page
from shopguard.service.routes import api_route
from shopguard.storage.models import ApiToken, Role

bp = Blueprint("tokens", __name__, url_prefix="/api/tokens")


class TokenOut(BaseModel):
    id: int
    name: str
    username: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def fields_of(cls, row: ApiToken) -> dict[str, Any]:
        return dict(id=row.id, name=row.name, username=row.user.username,
                    created_at=row.created_at, last_used_at=row.last_used_at)


class NewTokenOut(TokenOut):
    token: str = Field(description="the token; shown this once only")


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


def _mine_or_all() -> Select[ApiToken]:
    stmt = select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id)
    principal = current()
    return stmt if principal.role == Role.ADMIN else stmt.where(
        ApiToken.user_id == principal.user_id)


@api_route(bp, "", "GET", "List API tokens", access="view", query=PageQuery,
           response=Page[TokenOut])
def list_tokens(query: PageQuery) -> Page[TokenOut]:
    """Your tokens (administrators: everyone's)."""
    rows, total, nxt = offset_page(db(), _mine_or_all(), query)
    return Page[TokenOut](items=[TokenOut(**TokenOut.fields_of(r)) for r in rows], total=total,
                          next=nxt)


@api_route(bp, "", "POST", "Create an API token", access="view", body=TokenIn,
           response=NewTokenOut, status=201, errors=(403,))
def create(body: TokenIn) -> NewTokenOut:
    """Only from a signed-in session: a token cannot mint more tokens."""
    principal = current()
    if principal.token_id is not None:
        raise ApiError(403, "tokens can only be created from a signed-in session")
    token, token_hash = new_token()
    row = ApiToken(user_id=principal.user_id, token_hash=token_hash, name=body.name)
    db().add(row)
    db().commit()
    return NewTokenOut(**TokenOut.fields_of(row), token=token)


@api_route(bp, "/<int:token_id>", "DELETE", "Revoke an API token", access="view", status=204,
           errors=(404,))
def revoke(token_id: int) -> None:
    row = db().scalar(_mine_or_all().where(ApiToken.id == token_id))
    if row is None:
        raise ApiError(404, f"no token {token_id}")
    db().delete(row)
    db().commit()

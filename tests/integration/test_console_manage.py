"""Supervisors' and admins' pages through the routes on a real database: canned replies per agency,
the audit log (a supervisor sees their agency's, an admin every agency's, with filters), and the
admin's agencies, municipalities and accounts."""

from __future__ import annotations

import re

from bot.bootstrap import Container
from tests.integration.console_kit import (
    MACHIDA,
    PASSWORD,
    audit_actions,
    client,
    container,
    csrf_of,
    handoff,
    post,
    sign_in,
    signed_in,
)

__all__ = ["container"]


def test_canned_replies_belong_to_one_agency(container: Container) -> None:
    supervisor = signed_in(container, "sv@adachi.example")
    added = post(supervisor, "/console/canned", title="はじめまして", body="はじめまして。相談員の佐藤です。")
    assert added.status_code == 200 and "はじめまして。相談員の佐藤です。" in added.text
    assert post(supervisor, "/console/canned", title="", body="x").status_code == 400
    source = handoff(container)
    a1 = signed_in(container, "a1@adachi.example")
    post(a1, f"/console/handoffs/{source}/claim")
    case = a1.get(f"/console/handoffs/{source}").text
    assert 'class="canned"' in case and "はじめまして。相談員の佐藤です。" in case
    assert "はじめまして" not in signed_in(container, "sv@machida.example").get("/console/canned").text
    with container.uow() as uow:
        [reply] = uow.canned.for_agency(1)
    other = signed_in(container, "sv@machida.example")
    assert post(other, f"/console/canned/{reply.id}/delete").status_code == 404, "another agency's"
    post(supervisor, f"/console/canned/{reply.id}/delete")
    with container.uow() as uow:
        assert uow.canned.for_agency(1) == []
    assert ("sv@adachi.example", "canned_add", str(reply.id)) in audit_actions(container)


def test_supervisors_see_their_agencys_audit_and_admins_every_agency(container: Container) -> None:
    source = handoff(container)
    a1 = signed_in(container, "a1@adachi.example")
    post(a1, f"/console/handoffs/{source}/claim")
    a1.get(f"/console/handoffs/{source}/sheet")
    signed_in(container, "m1@machida.example").get("/console")

    adachi = signed_in(container, "sv@adachi.example").get(f"/console/audit?target={source}").text
    assert "a1@adachi.example" in adachi and 'data-action="view_sheet">シートを見た' in adachi
    assert 'data-action="claim">担当した' in adachi
    only_claims = signed_in(container, "sv@adachi.example").get("/console/audit?action=claim").text
    assert 'data-action="claim"' in only_claims and 'data-action="view_sheet"' not in only_claims
    machida = signed_in(container, "sv@machida.example").get("/console/audit").text
    assert source not in machida and "a1@adachi.example" not in machida
    admin = signed_in(container, "admin@tsunagu.example")
    everything = admin.get("/console/audit?actor=a1@adachi.example").text
    assert 'data-action="view_sheet"' in everything
    assert source not in admin.get("/console/audit?agency=2").text
    future = admin.get("/console/audit?since=2999-01-01").text
    assert "該当する記録はありません。" in future
    assert ("sv@machida.example", "view_audit", None) in audit_actions(container)


def test_admins_manage_agencies_municipalities_and_accounts(container: Container) -> None:
    admin = signed_in(container, "admin@tsunagu.example")
    added = post(admin, "/console/admin/agencies", name="足立区くらしとしごとの相談センター",
                 municipalities="足立区、葛飾区")
    assert added.status_code == 200 and "葛飾区、足立区" in added.text
    assert "同じ名前の機関がすでにあります。" in post(admin, "/console/admin/agencies", name=MACHIDA).text
    with container.uow() as uow:
        adachi = uow.agencies.by_name("足立区くらしとしごとの相談センター")
        assert adachi is not None and adachi.municipalities == ("葛飾区", "足立区")
        assert uow.agencies.for_municipality("足立区") == adachi
    post(admin, f"/console/admin/agencies/{adachi.id}/municipalities", municipalities="足立区\n町田市")
    with container.uow() as uow:
        assert uow.agencies.for_municipality("町田市").id == adachi.id  # type: ignore[union-attr]
        assert uow.agencies.for_municipality("葛飾区").is_default  # type: ignore[union-attr]

    made = post(admin, "/console/admin/accounts", email="new@adachi.example",
                agency="足立区くらしとしごとの相談センター", role="counselor", password=PASSWORD)
    assert "new@adachi.example" in made.text
    assert "パスワードは10文字以上にしてください。" in post(admin, "/console/admin/accounts", email="b@x.example",
                                                           agency=MACHIDA, role="counselor", password="short").text
    newcomer = signed_in(container, "new@adachi.example")
    with container.uow() as uow:
        account = uow.counselors.by_email("new@adachi.example")
    assert account is not None
    post(admin, f"/console/admin/accounts/{account.id}", agency=str(adachi.id), role="supervisor")
    assert newcomer.get("/console", follow_redirects=False).status_code == 303, "a role change ends sessions"
    assert signed_in(container, "new@adachi.example").get("/console/audit").status_code == 200

    locked = client(container)
    for _ in range(5):
        sign_in(locked, "new@adachi.example", "wrong password!")
    assert sign_in(locked, "new@adachi.example") == 429
    assert "休止中" in admin.get("/console/admin").text
    post(admin, f"/console/admin/accounts/{account.id}/unlock")
    assert sign_in(client(container), "new@adachi.example") == 303
    actions = [a for _, a, _ in audit_actions(container)]
    for action in ("agency_add", "agency_municipalities", "counselor_add", "account_change", "account_unlock"):
        assert action in actions, action
    assert re.search(r"admin@tsunagu\.example", admin.get("/console/audit?action=account_change").text)
    assert csrf_of(admin)


def test_the_holder_sends_a_local_resource_to_the_person(container: Container) -> None:
    source = handoff(container)
    a1 = signed_in(container, "a1@adachi.example")
    assert "地域の相談先" not in a1.get(f"/console/handoffs/{source}").text, "only for the holder"
    post(a1, f"/console/handoffs/{source}/claim")
    page = a1.get(f"/console/handoffs/{source}").text
    assert 'value="tokyo-hikikomori-sapo-net"' in page
    assert post(a1, f"/console/handoffs/{source}/resource", resource="nonsense").status_code == 400
    sent = post(a1, f"/console/handoffs/{source}/resource", resource="tokyo-hikikomori-sapo-net")
    assert sent.status_code == 200
    _, thread = container.service.thread("webchat", "person-1")
    assert "0120-529-528" in thread[-1].body["text"] and thread[-1].author == "counselor"
    assert ("a1@adachi.example", "send_resource", source) in audit_actions(container)

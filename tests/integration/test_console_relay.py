"""Relay (つなぐ) through the console's routes on a real database: only with standing consent, the
receiving agency accepts or declines, the sheet carries the relay chain, each relay is a provision
record, and a withdrawn consent stops further relays. Private notes stay with the agency."""

from __future__ import annotations

import json

from bot.bootstrap import Container
from dialogs.model import Inbound
from tests.integration.console_kit import (
    MACHIDA,
    audit_actions,
    container,
    csrf_of,
    handoff,
    post,
    signed_in,
)

__all__ = ["container"]


def machida_id(container: Container) -> int:
    with container.uow() as uow:
        agency = uow.agencies.by_name(MACHIDA)
        assert agency is not None
        return agency.id


def test_two_agencies_relay_a_consented_case(container: Container) -> None:
    source = handoff(container)
    a1, m1 = signed_in(container, "a1@adachi.example"), signed_in(container, "m1@machida.example")
    case = f"/console/handoffs/{source}"
    assert "担当している人だけがつなげます。" in a1.get(case).text, "the button says why not"
    post(a1, f"{case}/claim")
    post(a1, f"{case}/reply", text="こんばんは。つなぐの佐藤です。")
    relayed = post(a1, f"{case}/relay", agency=str(machida_id(container)), note="住まいの相談をお願いします。",
                   with_thread="1")
    assert relayed.status_code == 200 and "返事待ち" in relayed.text

    counts = m1.get("/console/queue.json").json()
    assert counts["offered"] == 1 and counts["open"] == 0
    [row] = counts["rows"]
    target = row["id"]
    assert target != source and row["status"] == "offered"
    offer = m1.get(f"/console/handoffs/{target}")
    assert "住まいの相談をお願いします。" in offer.text and "受け入れて担当する" in offer.text
    assert "こんばんは。つなぐの佐藤です。" in offer.text, "the thread went with the case"
    assert "返信（ご本人のチャットに届きます）" not in offer.text, "no reply before accepting"

    accepted = post(m1, f"/console/handoffs/{target}/accept")
    assert accepted.status_code == 200 and "担当：m1@machida.example" in accepted.text
    again = post(signed_in(container, "sv@machida.example"), f"/console/handoffs/{target}/accept")
    assert again.status_code == 409
    post(m1, f"/console/handoffs/{target}/reply", text="町田市の窓口の山田です。")
    _, thread = container.service.thread("webchat", "person-1")
    assert [m.body["text"] for m in thread if m.author == "counselor"] == [
        "こんばんは。つなぐの佐藤です。", "町田市の窓口の山田です。"]

    sheet = m1.get(f"/console/handoffs/{target}/sheet").text
    assert "つなぎの記録" in sheet and "a1@adachi.example" in sheet and "住まいの相談をお願いします。" in sheet
    exported = m1.get(f"/console/handoffs/{target}/export.json")
    assert "attachment" in exported.headers["content-disposition"]
    data = json.loads(exported.text)
    assert data["received_by"] == "a1@adachi.example", "受付者 is who first claimed it, at the first desk"
    [chain] = data["relays"]
    assert (chain["from_agency"], chain["to_agency"], chain["by"], chain["basis"], chain["status"]) == (
        "既定の相談窓口", MACHIDA, "a1@adachi.example", "consent", "accepted")
    assert chain["items"] == ["sheet", "thread"] and chain["decided_by"] == "m1@machida.example"
    sender_view = a1.get(case).text
    assert "受け入れ" in sender_view, "the sender sees the answer"
    assert "渡したもの：つなぐシート・これまでのやりとり" in sender_view

    actions = audit_actions(container)
    assert ("a1@adachi.example", "relay", source) in actions
    assert ("m1@machida.example", "relay_accept", target) in actions
    assert ("m1@machida.example", "export", target) in actions
    machida = machida_id(container)
    with container.uow() as uow:
        [record] = uow.audit.search(action="relay")
    assert record.detail == f"to_agency={machida} items=sheet,thread basis=consent"
    duplicate = post(a1, f"{case}/relay", agency=str(machida_id(container)), note="")
    assert duplicate.status_code == 409 and "この機関にはすでにつないでいます。" in duplicate.text


def test_without_consent_there_is_no_relay(container: Container) -> None:
    source = handoff(container, consent="no")
    a1 = signed_in(container, "a1@adachi.example")
    case = f"/console/handoffs/{source}"
    post(a1, f"{case}/claim")
    page = a1.get(case).text
    assert "ご本人が情報の共有に同意していないため、ほかの機関へはつなげません。" in page
    assert f'action="{case}/relay"' not in page
    refused = post(a1, f"{case}/relay", agency=str(machida_id(container)), note="")
    assert refused.status_code == 409
    machida = machida_id(container)
    with container.uow() as uow:
        assert uow.handoffs.queue(machida) == []


def test_a_withdrawn_consent_stops_further_relays(container: Container) -> None:
    source = handoff(container)
    a1 = signed_in(container, "a1@adachi.example")
    case = f"/console/handoffs/{source}"
    post(a1, f"{case}/claim")
    withdrawn = post(a1, f"{case}/consent/withdraw")
    assert "ご本人が共有への同意を取り消したため、ほかの機関へはつなげません。" in withdrawn.text
    assert post(a1, f"{case}/relay", agency=str(machida_id(container)), note="").status_code == 409
    sheet = a1.get(f"{case}/sheet").text
    assert "取り消し" in sheet
    assert ("a1@adachi.example", "consent_withdrawn", source) in audit_actions(container)


def test_the_person_stops_sharing_from_the_chat(container: Container) -> None:
    source = handoff(container)
    a1 = signed_in(container, "a1@adachi.example")
    post(a1, f"/console/handoffs/{source}/claim")
    container.service.handle(Inbound("webchat", "person-1", "person-1-unshare", container.clock(), text="共有をやめる"))
    page = a1.get(f"/console/handoffs/{source}").text
    assert "ご本人が共有への同意を取り消したため、ほかの機関へはつなげません。" in page
    assert "情報共有への同意：なし" in page
    assert post(a1, f"/console/handoffs/{source}/relay", agency=str(machida_id(container)), note="").status_code == 409
    assert ("person", "consent_withdrawn", source) in audit_actions(container)


def test_the_receiving_agency_may_decline_and_the_sender_reads_why(container: Container) -> None:
    source = handoff(container)
    a1, m1 = signed_in(container, "a1@adachi.example"), signed_in(container, "m1@machida.example")
    post(a1, f"/console/handoffs/{source}/claim")
    post(a1, f"/console/handoffs/{source}/relay", agency=str(machida_id(container)), note="", with_thread="")
    [row] = m1.get("/console/queue.json").json()["rows"]
    declined = m1.post(f"/console/handoffs/{row['id']}/decline",
                       data={"csrf": csrf_of(m1), "reason": "対象の地域ではありません。"}, follow_redirects=False)
    assert declined.status_code == 303
    assert m1.get("/console/queue.json").json()["rows"] == []
    sender = a1.get(f"/console/handoffs/{source}").text
    assert "見送り" in sender and "対象の地域ではありません。" in sender
    assert ("m1@machida.example", "relay_decline", row["id"]) in audit_actions(container)


def test_without_the_thread_the_receiver_sees_only_what_comes_after(container: Container) -> None:
    source = handoff(container)
    a1, m1 = signed_in(container, "a1@adachi.example"), signed_in(container, "m1@machida.example")
    post(a1, f"/console/handoffs/{source}/claim")
    post(a1, f"/console/handoffs/{source}/reply", text="最初の返信です。")
    post(a1, f"/console/handoffs/{source}/relay", agency=str(machida_id(container)), note="", with_thread="")
    [row] = m1.get("/console/queue.json").json()["rows"]
    post(m1, f"/console/handoffs/{row['id']}/accept")
    post(m1, f"/console/handoffs/{row['id']}/reply", text="町田からの返信です。")
    page = m1.get(f"/console/handoffs/{row['id']}").text
    assert "町田からの返信です。" in page and "最初の返信です。" not in page
    with container.uow() as uow:
        [relay] = uow.relays.for_conversation(uow.handoffs.get(source).conversation_id)  # type: ignore[union-attr]
    assert relay.items == ["sheet"]


def test_private_notes_stay_with_the_agency(container: Container) -> None:
    source = handoff(container)
    a1, a2 = signed_in(container, "a1@adachi.example"), signed_in(container, "a2@adachi.example")
    noted = post(a1, f"/console/handoffs/{source}/notes", text="母親が夜に書いてくる。電話は不可。")
    assert "母親が夜に書いてくる。電話は不可。" in noted.text
    assert "母親が夜に書いてくる。電話は不可。" in a2.get(f"/console/handoffs/{source}").text
    assert post(a1, f"/console/handoffs/{source}/notes", text=" ").status_code == 400
    _, thread = container.service.thread("webchat", "person-1")
    assert not any("電話は不可" in json.dumps(m.body, ensure_ascii=False) for m in thread)
    post(a1, f"/console/handoffs/{source}/claim")
    post(a1, f"/console/handoffs/{source}/relay", agency=str(machida_id(container)), note="", with_thread="1")
    m1 = signed_in(container, "m1@machida.example")
    [row] = m1.get("/console/queue.json").json()["rows"]
    assert "電話は不可" not in m1.get(f"/console/handoffs/{row['id']}").text
    assert "電話は不可" not in m1.get(f"/console/handoffs/{row['id']}/export.json").text
    assert ("a1@adachi.example", "note", source) in audit_actions(container)

"""The 19 consultation topics of the つなぐシート, in the paper form's order."""

from __future__ import annotations

from dialogs.i18n import N_, gettext

TOPICS: tuple[tuple[str, str], ...] = (
    ("job_search", N_("仕事探し、就職について")),
    ("income", N_("収入・生活費のこと")),
    ("work_trouble", N_("仕事上の不安・トラブル")),
    ("rent_loan", N_("家賃やローンの支払いのこと")),
    ("tax_utilities", N_("税金や公共料金の支払いについて")),
    ("debt", N_("債務について")),
    ("loan_fund", N_("資金の貸付について")),
    ("housing", N_("住まいについて")),
    ("health", N_("病気や健康に関すること")),
    ("mental", N_("こころの問題に関すること")),
    ("no_food", N_("食べるものがない")),
    ("household", N_("家計全般に関すること")),
    ("care", N_("介護に関すること")),
    ("childcare", N_("子育てに関すること")),
    ("hikikomori", N_("ひきこもり・不登校")),
    ("relationships", N_("家族関係・人間関係")),
    ("community", N_("地域との関係について")),
    ("dv_abuse", N_("DV・虐待について")),
    ("other", N_("その他")),
)

TOPIC_IDS: tuple[str, ...] = tuple(topic_id for topic_id, _ in TOPICS)
_LABELS = dict(TOPICS)


def topic_label(topic_id: str) -> str:
    """The label of a topic in the active locale."""
    return gettext(_LABELS[topic_id])

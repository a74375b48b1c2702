"""Danger signals in what people type (SAFETY.md): suicide and self-harm, violence and abuse, medical
emergencies. The text is normalised (NFKC, spaces between letters, stretched kana, katakana as
hiragana) and analysed with SudachiPy; rules match lemma sequences within a sentence, so conjugations
(死にたくなる, 死んじゃいたい) match and idioms (死ぬほど眠い, 電気が消えた) do not."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sudachipy import Dictionary, SplitMode

SUICIDE, VIOLENCE, MEDICAL = "suicide", "violence", "medical"
CATEGORIES = (SUICIDE, VIOLENCE, MEDICAL)

NEG = "ない|無い|ぬ|ず"
MEDICINE = "薬|睡眠薬|市販薬|処方薬|風邪薬|眠剤|安定剤|頭痛薬"
# Slang the dictionary does not know and splits apart (またリスカ → り + すかす); matched where a token
# starts, so アリスカフェ is not リスカ.
SLANG = {"リスカ": SUICIDE, "アムカ": SUICIDE, "レグカ": SUICIDE}
WANT = "たい"
# Kana spellings the dictionary reads as other words ("ち" as 地); spelled out before analysis.
KANA_SPELLINGS = {"じさつ": "自殺", "りすか": "リスカ", "しんじゃ": "死んじゃ", "しんでしま": "死んでしま",
                  "ちがとまら": "血が止まら", "いきができ": "息ができ", "いきがくるし": "息が苦し",
                  "おーばーどーず": "オーバードーズ"}
# Words that make violence words mean something else in the same sentence (叩かれる online, 蹴る in football).
NOT_VIOLENCE = "ネット|sns|ツイッター|x|サッカー|試合|練習|ゲーム|夢|肩|蚊|マッサージ"
# Trivial states that 死ぬほど / 死にそう exaggerate (not danger).
TRIVIAL = "眠い|恥ずかしい|暑い|寒い|忙しい|暇|面白い|笑う|笑い|美味しい|嬉しい|可愛い|退屈|お腹|腹"


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


TRIVIAL_FORMS = frozenset(TRIVIAL.split("|")) | {_hiragana(w) for w in TRIVIAL.split("|")}


@dataclass(frozen=True)
class Rule:
    """A sequence of token slots (each a set of lemmas), at most `gap` tokens apart, in one sentence.

    `unless`: a lemma anywhere in the sentence that cancels the rule; `not_next`: a lemma right after
    the match that cancels it (a past tense, 手術 after 切る)."""

    category: str
    slots: tuple[frozenset[str], ...]
    gap: int = 2
    unless: frozenset[str] = frozenset()
    not_next: frozenset[str] = frozenset()


def rule(category: str, pattern: str, gap: int = 2, unless: str = "", not_next: str = "") -> Rule:
    """A rule from a pattern like "死ぬ たい" (slots by spaces, alternatives by |)."""
    def words(alternatives: str) -> frozenset[str]:
        found = [w.lower() for w in alternatives.split("|") if w]
        return frozenset(found + [_hiragana(w) for w in found])

    return Rule(category, tuple(words(slot) for slot in pattern.split()), gap, words(unless), words(not_next))


RULES: tuple[Rule, ...] = (
    # suicide and self-harm
    rule(SUICIDE, f"死ぬ {WANT}", 3, not_next="ほど|くらい|ぐらい"),
    rule(SUICIDE, "死ぬ た 過ぎる", 0),
    rule(SUICIDE, "意志:死ぬ"),
    rule(SUICIDE, f"死ぬ しか {NEG}", 1),
    rule(SUICIDE, "死ぬ つもり|方法|方|準備", 1),
    rule(SUICIDE, "死ぬ 楽", 3),
    rule(SUICIDE, f"消える {WANT}", 3),
    rule(SUICIDE, f"居る {NEG} 成る {WANT}", 0),
    rule(SUICIDE, f"自分 消す {WANT}", 2),
    rule(SUICIDE, f"生きる {WANT} {NEG}", 2),
    rule(SUICIDE, "生きる 疲れる|辛い|つらい|苦しい|しんどい", 3),
    rule(SUICIDE, f"生きる 意味 {NEG}|分かる", 3),
    rule(SUICIDE, f"自殺|自死 {WANT}|意志:為る|考える|つもり|方法|しか|未遂|ほのめかす|願望|準備", 2),
    rule(SUICIDE, "首 吊る|つる|意志:吊る", 2),
    rule(SUICIDE, "首吊り|練炭|リストカット|自傷|オーバードーズ|od|過量服薬"),
    rule(SUICIDE, "リスト カット", 0),
    rule(SUICIDE, f"飛び下りる|飛び降りる {WANT}|つもり", 2),
    rule(SUICIDE, "意志:飛び下りる"),
    rule(SUICIDE, "遺書 書く", 2),
    rule(SUICIDE, "人生 終わる せる", 2),
    rule(SUICIDE, "手首|腕 切る", 2, not_next="手術"),
    rule(SUICIDE, f"{MEDICINE} 大量|全部|いっぱい|沢山|たくさん 飲む", 2, not_next="終わる"),
    # violence and abuse
    rule(VIOLENCE, "殴る|蹴る|叩く|殺す|刺す|絞める|襲う|突き飛ばす|脅す れる|られる", 1, unless=NOT_VIOLENCE),
    rule(VIOLENCE, "殴る|暴れる", 0, unless=NOT_VIOLENCE),
    rule(VIOLENCE, "殺す ぞ|やる", 1),
    rule(VIOLENCE, "殺す と|って 言う", 0),
    rule(VIOLENCE, "包丁|刃物|ナイフ 向ける|振り回す", 2),
    rule(VIOLENCE, "暴力|dv|虐待|性暴力 為る|受ける|有る|被害|振るう|酷い|ひどい|れる|怖い|こわい|遭う", 3),
    rule(VIOLENCE, "レイプ|性的虐待"),
    # medical emergencies
    rule(MEDICAL, f"息|呼吸 出来る {NEG}", 1),
    rule(MEDICAL, "息|呼吸 苦しい", 1),
    rule(MEDICAL, f"意識 {NEG}", 1),
    rule(MEDICAL, f"意識 有る|戻る {NEG}", 2),
    rule(MEDICAL, f"倒れる 動く {NEG}", 2),
    rule(MEDICAL, f"血|出血 止まる|とまる {NEG}", 2),
    rule(MEDICAL, "大量 出血", 2),
    rule(MEDICAL, f"目 覚ます {NEG}", 2),
    rule(MEDICAL, "痙攣|救急車"),
)

ENGLISH: tuple[tuple[str, re.Pattern[str]], ...] = (
    (SUICIDE, re.compile(r"\b(want(ing)? to die|wanna die|kill(ing)? myself|suicid\w*|end my life|"
                         r"self[- ]?harm|cut(ting)? myself|overdos\w*)\b")),
    (VIOLENCE, re.compile(r"\b((hits?|beats?|hurts?|kicks?) me|abused?|abusing|domestic violence)\b")),
    (MEDICAL, re.compile(r"\b(can'?t breathe|not breathing|unconscious|won'?t wake up|seizures?|"
                         r"bleeding|ambulance)\b")),
)
SENTENCE = re.compile(r"[^。！？!?\n]+")


@cache
def _dictionary() -> Any:
    return Dictionary(dict="core")


_local = threading.local()


def _tokenizer() -> Any:
    """This thread's tokenizer: a SudachiPy tokenizer is not to be shared by threads (two at once raise
    SudachiError), and the service reads messages in several threads; the dictionary is loaded once."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tokenizer


def variants(text: str) -> list[str]:
    """The ways the text is read: as typed (NFKC, without spaces between letters, stretched kana
    shortened), and the same in hiragana."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", text)  # 死 に た い
    text = re.sub(r"\b([A-Za-z]) (?=[A-Za-z]\b)", r"\1", text)  # O D
    text = re.sub(r"(?<=[ぁ-ん])[ー〜~]+(?=[ぁ-ん])", "", text)  # 死にたーい
    text = re.sub(r"([ぁ-ん])\1{2,}", r"\1", text)  # しにたいいいい
    hira = _hiragana(text)
    for kana, spelled in KANA_SPELLINGS.items():
        hira = hira.replace(kana, spelled)
    once = re.sub(r"(.{2,8}?)\1+", r"\1", hira)  # しにたいしにたいしにたい
    return list(dict.fromkeys((text, hira, once)))


def _forms(morpheme: Any) -> frozenset[str]:
    """What a token may be called: its surface, dictionary form and normalised lemma (lower case),
    and 意志:<lemma> for a volitional verb (死のう, 飛び降りよう)."""
    return _named(morpheme.surface(), morpheme.normalized_form(), morpheme.dictionary_form(),
                  morpheme.part_of_speech()[0])


@lru_cache(maxsize=65_536)
def _named(surface: str, lemma: str, base: str, pos: str) -> frozenset[str]:
    forms = {surface.lower(), lemma.lower(), base.lower()}
    if pos == "動詞" and surface != base and surface.endswith("う"):
        forms |= {f"意志:{lemma}", f"意志:{base}"}
    return frozenset(forms | {_hiragana(f) for f in forms})


def _read(text: str) -> tuple[set[int], list[list[frozenset[str]]]]:
    """One pass of the tokenizer over each sentence: where tokens begin (for slang), and each
    sentence's tokens by their forms (spaces left out)."""
    tokenizer = _tokenizer()
    starts: set[int] = set()
    sentences: list[list[frozenset[str]]] = []
    for sentence in SENTENCE.finditer(text):
        if not sentence.group().strip():
            continue
        tokens = []
        for m in tokenizer.tokenize(sentence.group()):
            starts.add(sentence.start() + m.begin())
            if m.part_of_speech()[0] != "空白":
                tokens.append(_forms(m))
        sentences.append(tokens)
    return starts, sentences


def _slang(text: str, starts: set[int]) -> set[str]:
    """Categories of slang words that begin where a token begins."""
    lowered = text.lower()
    return {category for word, category in SLANG.items()
            if any(m.start() in starts for m in re.finditer(re.escape(word.lower()), lowered))}


def _matches(rule_: Rule, tokens: list[frozenset[str]], context: frozenset[str]) -> bool:
    if rule_.unless & context or (rule_.unless and any(rule_.unless & forms for forms in tokens)):
        return False
    for start, forms in enumerate(tokens):
        if not rule_.slots[0] & forms:
            continue
        at = start
        for slot in rule_.slots[1:]:
            found = next((i for i in range(at + 1, min(at + 2 + rule_.gap, len(tokens))) if slot & tokens[i]), None)
            if found is None:
                break
            at = found
        else:
            after = tokens[at + 1] if at + 1 < len(tokens) else frozenset()
            if rule_.not_next & after:
                continue
            if _exaggerates(tokens, at):
                continue
            return True
    return False


def _exaggerates(tokens: list[frozenset[str]], at: int) -> bool:
    """死ぬほど眠い, 死にたいくらい恥ずかしい: a trivial state within the next few tokens."""
    return any(TRIVIAL_FORMS & forms for forms in tokens[at + 1: at + 5])


def detect(text: str) -> frozenset[str]:
    """The danger categories a message signals (empty for none)."""
    if not text or not text.strip():
        return frozenset()
    found = {category for category, pattern in ENGLISH if pattern.search(text.lower())}
    readings = []
    for variant in variants(text):
        starts, sentences = _read(variant)
        found |= _slang(variant, starts)
        readings.append(sentences)
    context = frozenset().union(*(forms for tokens in readings[0] for forms in tokens))  # as typed
    for sentences in readings:
        for tokens in sentences:
            found |= {r.category for r in RULES if r.category not in found and _matches(r, tokens, context)}
    return frozenset(found)

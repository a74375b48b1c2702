"""The written layer of the crisis check: rules over lemmas within a sentence, so every conjugation of a
verb matches (死にたくなる, 死んじゃいたい, 死のうかな, 死ねたら), with negation in scope (死にたくない is no
wish), idioms left out (死ぬほど眠い), and a past the writer says is over given no alarm."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.crisis.reading import Reading, Token, hiragana

SUICIDE, VIOLENCE, MEDICAL = "suicide", "violence", "medical"
CATEGORIES = (SUICIDE, VIOLENCE, MEDICAL)

NEG = "ない|無い|ぬ|ず|ん"
MEDICINE = "薬|睡眠薬|市販薬|処方薬|風邪薬|眠剤|安定剤|頭痛薬|錠剤|錠"
# Slang the dictionary does not know and splits apart (またリスカ → り + すかす); matched where a token
# starts, so アリスカフェ is not リスカ.
SLANG = {"リスカ": SUICIDE, "アムカ": SUICIDE, "レグカ": SUICIDE, "odし": SUICIDE, "ｏｄし": SUICIDE}
WANT = "たい"
# Words that make violence words mean something else in the same sentence (叩かれる online, 蹴る in football).
NOT_VIOLENCE = "ネット|sns|ツイッター|x|サッカー|試合|練習|ゲーム|夢|肩|蚊|マッサージ|キーボード|ドア|太鼓"
# Trivial states that 死ぬほど / 死にそう exaggerate (not danger).
TRIVIAL = "眠い|恥ずかしい|暑い|寒い|忙しい|暇|面白い|笑う|笑い|美味しい|嬉しい|可愛い|退屈|お腹|腹|痛い|疲れる|緊張"
TRIVIAL_FORMS = frozenset(TRIVIAL.split("|")) | {hiragana(w) for w in TRIVIAL.split("|")}


@dataclass(frozen=True)
class Rule:
    """A sequence of token slots (each a set of lemmas), at most `gap` tokens apart, in one sentence.

    `unless`: a lemma anywhere in the message that cancels the rule; `not_next`: a lemma within two tokens
    after the match that cancels it (a negation of the wish, 手術 after 切る)."""

    category: str
    slots: tuple[frozenset[str], ...]
    gap: int = 2
    unless: frozenset[str] = frozenset()
    not_next: frozenset[str] = frozenset()


def rule(category: str, pattern: str, gap: int = 2, unless: str = "", not_next: str = "") -> Rule:
    """A rule from a pattern like "死ぬ たい" (slots by spaces, alternatives by |)."""
    def words(alternatives: str) -> frozenset[str]:
        found = [w.lower() for w in alternatives.split("|") if w]
        return frozenset(found + [hiragana(w) for w in found])

    return Rule(category, tuple(words(slot) for slot in pattern.split()), gap, words(unless), words(not_next))


WISH_UNDONE = f"{NEG}|ほど|くらい|ぐらい"
RULES: tuple[Rule, ...] = (
    # suicide and self-harm: wishes in every form, euphemisms, means, farewells, self-harm
    rule(SUICIDE, f"死ぬ {WANT}", 3, not_next=WISH_UNDONE),
    rule(SUICIDE, "死ぬ た 過ぎる", 0),
    rule(SUICIDE, "意志:死ぬ"),
    rule(SUICIDE, f"死ぬ しか {NEG}", 1),
    rule(SUICIDE, "死ぬ つもり|方法|方|準備|楽|ば|たら|なら|れる", 1, not_next="ほど|くらい|ない"),
    rule(SUICIDE, "死ねる|死ねれる", 0, not_next="ほど|くらい"),
    rule(SUICIDE, "死ぬ 方 まし|良い|いい", 3),
    rule(SUICIDE, f"消える {WANT}|ちゃう|てしまう", 3, not_next=NEG),
    rule(SUICIDE, f"居る {NEG} 成る {WANT}", 0),
    rule(SUICIDE, f"居る {NEG} 方|ほう 良い|いい|まし|楽", 3),
    rule(SUICIDE, f"自分 消す {WANT}", 2),
    rule(SUICIDE, f"生きる {WANT} {NEG}", 2),
    rule(SUICIDE, "生きる 疲れる|辛い|つらい|苦しい|しんどい", 3),
    rule(SUICIDE, f"生きる 意味 {NEG}|分かる|有る", 3),
    rule(SUICIDE, f"生まれる 来る {NEG}|ねば", 3),
    rule(SUICIDE, "全部|人生|自分 終わり|終わる 為る|せる|たい", 3),
    rule(SUICIDE, f"明日 来る {NEG}", 3),
    rule(SUICIDE, f"目 覚める {NEG} {WANT}|良い|いい", 3),
    rule(SUICIDE, "楽 成る たい", 2),
    rule(SUICIDE, f"自殺|自死 {WANT}|意志:為る|考える|つもり|方法|しか|未遂|ほのめかす|願望|準備|為る", 2,
         not_next="ニュース"),
    rule(SUICIDE, "首 吊る|つる|意志:吊る|括る", 2),
    rule(SUICIDE, "首吊り|練炭|リストカット|自傷|オーバードーズ|od|過量服薬|飛び降り"),
    rule(SUICIDE, "リスト カット", 0),
    rule(SUICIDE, f"飛び下りる|飛び降りる|飛び込む {WANT}|つもり|ば|たら", 2),
    rule(SUICIDE, "意志:飛び下りる|意志:飛び込む"),
    rule(SUICIDE, "遺書 書く", 2),
    rule(SUICIDE, "人生 終わる せる", 2),
    rule(SUICIDE, "手首|腕|足|太もも 切る", 2, not_next="手術"),
    rule(SUICIDE, "自分 傷付ける|傷つける", 3),
    rule(SUICIDE, "また 切る|やる|リスカ", 3, unless="髪|爪|電話|ゲーム|仕事"),
    rule(SUICIDE, "殺す て 欲しい|ほしい|貰う|くれる", 2, unless="ゲーム|虫"),
    rule(SUICIDE, f"生きる|死ぬ 理由 {NEG}|見付かる|見つかる", 4),
    rule(SUICIDE, "消える 方法|方|薬", 2),
    rule(SUICIDE, "永遠|ずっと 眠る たい", 2),
    rule(SUICIDE, "二度と 起きる|目覚める|目を覚ます", 2),
    rule(SUICIDE, "死に場所|死に方"),
    rule(SUICIDE, f"{MEDICINE} 大量|全部|いっぱい|沢山|たくさん|まとめる 飲む", 3, not_next="終わる"),
    rule(SUICIDE, "何錠 飲む|死ぬ|致死", 3),
    # violence and abuse
    rule(VIOLENCE, "殴る|蹴る|叩く|殺す|刺す|絞める|襲う|突き飛ばす|脅す れる|られる", 1, unless=NOT_VIOLENCE),
    rule(VIOLENCE, "殴る|暴れる", 0, unless=NOT_VIOLENCE),
    rule(VIOLENCE, "殺す ぞ|やる|ちゃう|てしまう", 1, unless="ゲーム|敵|虫|時間"),
    rule(VIOLENCE, "殺す と|って 言う", 0),
    rule(VIOLENCE, "殺す 俺|私|僕|自分 も 死ぬ", 3),
    rule(VIOLENCE, "包丁|刃物|ナイフ 向ける|振り回す|持つ", 2, unless="料理|研ぐ|買う|キャンプ"),
    rule(VIOLENCE, "手 上げる|挙げる|出る", 1, unless="質問|授業"),
    rule(VIOLENCE, "暴力|dv|虐待|性暴力 為る|受ける|有る|被害|振るう|酷い|ひどい|れる|怖い|こわい|遭う", 3,
         unless="ニュース|映画|ドラマ"),
    rule(VIOLENCE, "レイプ|性的虐待"),
    # medical emergencies
    rule(MEDICAL, f"息|呼吸 出来る {NEG}", 1),
    rule(MEDICAL, "息|呼吸 苦しい|して|無い|ない|止まる", 1),
    rule(MEDICAL, f"意識 {NEG}", 1),
    rule(MEDICAL, f"意識 有る|戻る {NEG}", 2),
    rule(MEDICAL, f"倒れる 動く|起きる|返事 {NEG}", 3),
    rule(MEDICAL, f"血|出血 止まる|とまる {NEG}", 2),
    rule(MEDICAL, "大量 出血", 2),
    rule(MEDICAL, f"目 覚ます {NEG}", 2),
    rule(MEDICAL, "痙攣|救急車|ひきつけ"),
)

ENGLISH: tuple[tuple[str, re.Pattern[str]], ...] = (
    (SUICIDE, re.compile(
        r"\b(want(ing)? to die|wanna die|kill(ing)? myself|suicid\w*|end (my life|it all|things)|"
        r"self[- ]?harm|cut(ting)? (myself|again)|overdos\w*|wish i (was|were) dead|wish i('d| had) never been born|"
        r"(don'?t|do not) want to (be here|live|exist|wake up)|better off without me|disappear forever|"
        r"not wake up|never wake up|take all (my|the) pills|goodbye (everyone|all)|sorry for everything|"
        r"how many \w+ (would|does it) take)\b")),
    (VIOLENCE, re.compile(r"\b((hits?|beats?|hurts?|kicks?|chokes?|punch(es|ed)?|slapped) (me|my|her|him)|abused?|"
                          r"abusing|domestic violence|threaten\w* to kill|(gonna|going to) (kill|stab)|"
                          r"(knife|knives) at|punched (his|her|my))\b")),
    (MEDICAL, re.compile(r"\b(can'?t breathe|not breathing|unconscious|won'?t wake up|seizures?|"
                         r"bleeding|ambulance|collapsed|passed out|ha(ve|s)n'?t eaten)\b")),
)


def _matches(rule_: Rule, tokens: tuple[Token, ...], context: frozenset[str]) -> bool:
    if rule_.unless & context:
        return False
    for start, token in enumerate(tokens):
        if not rule_.slots[0] & token.forms:
            continue
        at = start
        for slot in rule_.slots[1:]:
            found = next((i for i in range(at + 1, min(at + 2 + rule_.gap, len(tokens))) if slot & tokens[i].forms),
                         None)
            if found is None:
                break
            at = found
        else:
            after = frozenset().union(*(t.forms for t in tokens[at + 1: at + 3]))
            if rule_.not_next & after or _exaggerates(tokens, at):
                continue
            return True
    return False


def _exaggerates(tokens: tuple[Token, ...], at: int) -> bool:
    """死ぬほど眠い, 死にたいくらい恥ずかしい: a trivial state within the next few tokens."""
    return any(TRIVIAL_FORMS & t.forms for t in tokens[at + 1: at + 5])


def _slang(text: str, starts: frozenset[int]) -> set[str]:
    lowered = text.lower()
    return {category for word, category in SLANG.items()
            if any(m.start() in starts for m in re.finditer(re.escape(word.lower()), lowered))}


def fired(reading: Reading) -> frozenset[str]:
    """The categories the rules find in a reading, before the past is weighed."""
    found = {category for category, pattern in ENGLISH if pattern.search(reading.spellings[0].lower())}
    for spelling, starts in zip(reading.spellings, reading.starts, strict=False):
        found |= _slang(spelling, starts)
    context = frozenset().union(*(t.forms for tokens in reading.sentences[0] for t in tokens))
    for sentences in reading.sentences:
        for tokens in sentences:
            present = frozenset().union(*(t.forms for t in tokens))
            found |= {r.category for r in RULES
                      if r.category not in found and r.slots[0] & present and _matches(r, tokens, context)}
    return frozenset(found)

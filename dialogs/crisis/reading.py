"""How the crisis check reads a message: the ways it may be spelled (NFKC, half-width kana, spaces between
letters, stretched kana, katakana as hiragana), its sentences as SudachiPy tokens with their lemmas and
conjugation forms, and the few facts of structure that change what a danger word means: negation right after
a wish, a past the writer says is over, fiction, something quoted, someone else as the subject."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sudachipy import Dictionary, SplitMode

# Kana spellings the dictionary reads as other words ("ち" as 地); spelled out before analysis.
KANA_SPELLINGS = {"じさつ": "自殺", "りすか": "リスカ", "しんじゃ": "死んじゃ", "しんでしま": "死んでしま",
                  "ちがとまら": "血が止まら", "いきができ": "息ができ", "いきがくるし": "息が苦し",
                  "おーばーどーず": "オーバードーズ"}
SENTENCE = re.compile(r"[^。！？!?\n]+")

# A past the writer says is over: a time long gone, and a sign that it is over now.
LONG_AGO = re.compile(r"昔|むかし|以前|前は|子ども(の頃|のころ|時代)|子供(の頃|のころ|時代)|小さい(頃|ころ)|"
                      r"小学|中学|高校(の頃|時代)|学生(の頃|時代)|若い(頃|ころ)|\d+年前|何年も前|数年前|十年前|"
                      r"years ago|used to|when i was|as a kid|"
                      r"back in (school|high school|college)")
OVER_NOW = re.compile(r"今は|いまは|今では|もう\S{0,12}(ない|ません|てない)|やめ(た|られた|て\d+年)|"
                      r"卒業|落ち着い|乗り越え|大丈夫|元気|平気|治った|"
                      r"haven'?t|not anymore|no longer|i'?m (ok|okay|fine|safe|better) now|"
                      r"(safe|better|fine) now|in years|years clean")
PRESENT = re.compile(r"今夜|今晩|今日|きょう|さっき|今から|いまから|明日|あした|"
                     r"また\S{0,6}(た|ちゃ|じゃ|しまっ|そう|くな)|最近|ここ(数日|最近|何日)|もう限界|"
                     r"tonight|right now|today|again|lately|anymore")
FICTION = re.compile(r"ゲーム|げーむ|ドラマ|アニメ|漫画|まんが|マンガ|映画|小説|ニュース|キャラ|推し|配信|ライブ|原作|"
                     r"ボス|ラスボス|ホラー|ミステリー|vtuber|game|movie|film|show|episode|anime|manga|novel|character|"
                     r"boss|level|netflix|series")
QUOTED = re.compile(r"「[^」]+」|『[^』]+』|って(言|い)|と(言|い)(って|う|わ)|says|said|told me|keeps saying")
OTHERS = re.compile(r"息子|娘|夫|妻|旦那|主人|嫁|父|母|親|兄|弟|姉|妹|祖父|祖母|子ども|子供|彼氏|彼女|"
                    r"\b(my )?(son|daughter|husband|wife|father|mother|dad|mom|mum|brother|sister|boyfriend|"
                    r"girlfriend)\b")
FLAGS = {"long_ago": LONG_AGO, "over_now": OVER_NOW, "present": PRESENT, "fiction": FICTION, "quoted": QUOTED,
         "others": OTHERS}


@dataclass(frozen=True)
class Token:
    """One word: every name it may go by (surface, lemma, dictionary form, hiragana; 意志:<lemma> when
    volitional), its lemma, part of speech and conjugation form."""

    forms: frozenset[str]
    lemma: str
    pos: str
    conjugation: str
    sound: str  # the reading, in hiragana: 殺される and ころされる sound alike


@dataclass(frozen=True)
class Reading:
    """A message as the check sees it: its spellings, each one's sentences of tokens, and its structure flags."""

    text: str
    spellings: tuple[str, ...]
    sentences: tuple[tuple[tuple[Token, ...], ...], ...]  # per spelling
    starts: tuple[frozenset[int], ...]  # where tokens begin, per spelling
    flags: frozenset[str]

    @property
    def plain(self) -> str:
        """The spelling in hiragana, lower case: what character features are taken from."""
        return self.spellings[1 if len(self.spellings) > 1 else 0].lower()

    @property
    def sound(self) -> str:
        """How the message sounds: the readings of its words as typed, in hiragana."""
        return "。".join("".join(t.sound for t in tokens) for tokens in self.sentences[0])

    @property
    def resolved_past(self) -> bool:
        """The writer speaks of a danger long ago that is over now, and of nothing happening now."""
        return {"long_ago", "over_now"} <= self.flags and "present" not in self.flags


def hiragana(text: str) -> str:
    """Katakana as hiragana."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


@cache
def _tokenizer() -> Any:
    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def warm() -> None:
    """Load the dictionary now rather than at the first message."""
    _tokenizer().tokenize("準備")


def spellings(text: str) -> list[str]:
    """The ways the text is read: as typed (NFKC, without spaces between letters, stretched kana shortened),
    the same in hiragana, and that with repeated runs said once."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", text)  # 死 に た い
    text = re.sub(r"\b([A-Za-z]) (?=[A-Za-z]\b)", r"\1", text)  # O D
    text = re.sub(r"(?<=[ぁ-ん])[ー〜~]+(?=[ぁ-ん])", "", text)  # 死にたーい
    text = re.sub(r"([ぁ-ん])\1{2,}", r"\1", text)  # しにたいいいい
    hira = hiragana(text)
    for kana, spelled in KANA_SPELLINGS.items():
        hira = hira.replace(kana, spelled)
    once = re.sub(r"(.{2,8}?)\1+", r"\1", hira)  # しにたいしにたいしにたい
    return list(dict.fromkeys((text, hira, once)))


@lru_cache(maxsize=65_536)
def _token(surface: str, lemma: str, base: str, pos: str, conjugation: str, sound: str) -> Token:
    forms = {surface.lower(), lemma.lower(), base.lower()}
    if pos == "動詞" and conjugation.startswith("意志"):
        forms |= {f"意志:{lemma}", f"意志:{base}"}
    return Token(frozenset(forms | {hiragana(f) for f in forms}), lemma.lower(), pos, conjugation,
                 hiragana(sound).lower())


def _sentences(text: str) -> tuple[frozenset[int], tuple[tuple[Token, ...], ...]]:
    tokenizer = _tokenizer()
    starts: set[int] = set()
    sentences = []
    for sentence in SENTENCE.finditer(text):
        if not sentence.group().strip():
            continue
        tokens = []
        for m in tokenizer.tokenize(sentence.group()):
            starts.add(sentence.start() + m.begin())
            pos = m.part_of_speech()
            if pos[0] != "空白":
                tokens.append(_token(m.surface(), m.normalized_form(), m.dictionary_form(), pos[0], pos[5],
                                     m.reading_form()))
        sentences.append(tuple(tokens))
    return frozenset(starts), tuple(sentences)


def read(text: str) -> Reading:
    """Read a message once, for the rules and the model alike."""
    spelled = spellings(text)
    parsed = [_sentences(s) for s in spelled]
    lowered = spelled[0].lower()
    flags = frozenset(name for name, pattern in FLAGS.items() if pattern.search(lowered))
    return Reading(text, tuple(spelled), tuple(p[1] for p in parsed), tuple(p[0] for p in parsed), flags)

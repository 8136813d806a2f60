"""Spoiler discipline: the visible text of an entry must not give its twist away.

A card shows the cast roles and the storyline in plain sight and the twist behind a spoiler,
and ``/mv search`` finds entries by roles and storyline but never by twist, so a twist word
in the visible text spoils the card and makes the MV findable by its ending. Two rules, for
any single entry (built-in or a server's own):

- **Cast roles** say who someone is at the start. A role may reuse the storyline's words
  (the set-up the twist pays off), but no other *twist word*: a word of the twist, compared
  after normalising (folded case, no punctuation or ``'s``, a plural ``s`` dropped), of four
  or more letters, not a common English word and not part of the title, artist, group,
  aliases or cast names. ``Taeyang — the friend who calls G-Dragon to the hospital`` fails
  on ``calls`` and ``hospital`` when only the twist takes G-Dragon to her hospital bed.
- **The storyline** has to name what the twist turns on (the suitcase, the wedding photo),
  so sharing such words is expected. What it must not share is an *outcome word*
  (:data:`OUTCOME_WORDS`: fates, true identities, deceptions), which would tell the ending.
  Roles may not use outcome words of the twist either.

A check like this is a net, not a proof: a reviewer still reads the entry.
"""

from __future__ import annotations

import re

from bot.catalog.model import MV
from bot.catalog.problems import Problem, entry_id_label
from bot.catalog.text import fold
from bot.i18n import Text, _

MIN_LETTERS = 4
_WORD = re.compile(r"[^\W\d_]+")
_POSSESSIVE = re.compile(r"['’]s\b")

#: Function words and filler that every summary uses; never evidence of a spoiler.
STOP_WORDS: frozenset[str] = frozenset(
    {
        "about", "above", "across", "after", "again", "against", "almost", "along", "already",
        "also", "although", "always", "among", "another", "anyone", "anything", "around",
        "away", "back", "because", "become", "becomes", "been", "before", "behind", "being",
        "below", "beside", "between", "both", "cannot", "could", "didn", "does", "doing",
        "done", "down", "during", "each", "either", "else", "even", "ever", "every", "everyone",
        "everything", "first", "from", "further", "gets", "getting", "goes", "going", "gone",
        "have", "having", "hers", "herself", "here", "himself", "however", "instead", "into",
        "itself", "just", "last", "later", "least", "less", "like", "made", "make", "makes",
        "many", "more", "most", "much", "must", "myself", "never", "next", "nobody", "none",
        "nothing", "once", "only", "onto", "other", "others", "ours", "ourselves", "over",
        "own", "rather", "really", "same", "seem", "seemed", "seems", "should", "since", "some",
        "someone", "something", "soon", "still", "such", "than", "that", "their", "theirs",
        "them", "themselves", "then", "there", "these", "they", "thing", "things", "this",
        "those", "though", "three", "through", "thus", "together", "toward", "towards", "under",
        "until", "upon", "very", "want", "wanted", "well", "were", "what", "when", "where",
        "whether", "which", "while", "whom", "whose", "will", "with", "within", "without",
        "would", "your", "yours"
    }
)  # fmt: skip

#: Words that tell how a story ends or who someone really is. Sharing one with the twist
#: spoils it even in a storyline, which otherwise shares the twist's nouns legitimately.
#: Stems as :func:`visible_words` makes them ("dies" → "die"); add a word with a reason.
OUTCOME_WORDS: frozenset[str] = frozenset(
    {
        # fates
        "dead", "death", "die", "died", "dying", "kill", "killed", "killing", "murder",
        "murdered", "suicide", "hospital", "illness", "sick", "cancer", "disease", "terminal",
        "funeral", "coma", "corpse", "alive", "survive", "survived", "survivor",
        # true identities
        "undercover", "agent", "spy", "traitor", "impostor", "twin", "clone", "ghost",
        "disguise", "disguised",
        # deceptions and their end
        "staged", "fake", "faked", "pretend", "pretended", "pretending", "dream", "dreamt",
        "dreamed", "imagined", "imaginary", "hallucination", "illusion", "secretly",
        "betray", "betrayal", "betrayed", "framed", "confess", "confessed", "arrest",
        "arrested", "prison", "jail",
    }
)  # fmt: skip


def _stem(word: str) -> str:
    """A plural's singular, crudely: "stories" → "story", "calls" → "call", "boss" stays."""
    if len(word) > MIN_LETTERS and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) >= MIN_LETTERS and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_STOPS = frozenset(_stem(word) for word in STOP_WORDS)
_OUTCOMES = frozenset(_stem(word) for word in OUTCOME_WORDS)


def visible_words(text: str) -> dict[str, str]:
    """Each normalised word of ``text`` with the first spelling it has there (for messages)."""
    words: dict[str, str] = {}
    for match in _WORD.finditer(_POSSESSIVE.sub("", fold(text))):
        words.setdefault(_stem(match[0]), match[0])
    return words


def _name_words(mv: MV) -> set[str]:
    names = [mv.title, mv.title_ko, mv.artist, mv.group, *mv.aliases]
    names += [member.name for member in mv.cast]
    return {word for name in names if name for word in visible_words(name)}


def twist_words(mv: MV) -> set[str]:
    """The twist's words that would give it away elsewhere: outcome words, and words of
    four or more letters that are neither common English nor part of a name."""
    if not mv.twist:
        return set()
    names = _name_words(mv)
    return {
        word
        for word in visible_words(mv.twist)
        if word in _OUTCOMES or (len(word) >= MIN_LETTERS and word not in _STOPS and word not in names)
    }


def spoiler_problems(mv: MV, label: Text | None = None) -> list[Problem]:
    """Each twist word found in a cast role or the storyline, as one problem placed at the
    entry (``label``, default ``entry '<id>'``; ``""``: no place), the field and the word;
    empty when none is."""
    twist = twist_words(mv)
    if not twist:
        return []
    where = (label if label is not None else entry_id_label(mv.id)) or None
    story = visible_words(mv.storyline) if mv.storyline else {}
    outcomes = twist & _OUTCOMES
    problems = [
        Problem(
            _(
                "{word} gives the twist away (the twist turns on it); keep it in 'twist' only",
                word=repr(story[word]),
            ),
            "storyline",
            where,
        )
        for word in sorted(outcomes & story.keys())
    ]
    for_roles = (twist - story.keys()) | outcomes
    for member in mv.cast:
        if member.role is None:
            continue
        role = visible_words(member.role)
        problems += [
            Problem(
                _(
                    "the role of {name} uses {word}, a word of the twist that the storyline does not set up; "
                    "describe who they are at the start",
                    name=member.name,
                    word=repr(role[word]),
                ),
                "cast",
                where,
            )
            for word in sorted(for_roles & role.keys())
        ]
    return problems

"""The words the builder reads a claim's concept with, for ids and hints.

Nouns too general to name a point ("idea", "way"), nouns that introduce a name ("the
policy of ..."), verbs that see a thing as something ("seen as"), verbs whose passive
is a verdict ("was favoured"), and the like. Each list is of plain English words, not
of any one source's.
"""

from __future__ import annotations

from essaycheck.extraction.claims import word_set

GENERIC_NOUNS = word_set(
    "idea voice question way risk line thing time year view people leader point hand step "
    "change debate argument issue name fact part kind lot number danger source case "
    "result reason example side order road issue issues"
)
# Verbs that see a thing as something: "seen as", "painted as", "regarded as".
SEEING_VERBS = word_set(
    "see regard view consider perceive paint portray describe depict present label brand cast treat"
)
# Verbs whose passive is a verdict: "the policy was favoured", "the plan was rejected".
VERDICT_VERBS = word_set(
    "favour favor prefer reject welcome support oppose criticise criticize praise condemn "
    "accept adopt choose abandon"
)
# Nouns that introduce a name: "the policy of 'socialism in one country'".
LABEL_NOUNS = word_set(
    "policy slogan idea plan programme program name term phrase principle doctrine theory "
    "motto label title nickname strategy"
)
# Nouns that need their "of" phrase: "a wave of uprisings", "the number of cases".
PARTITIVES = word_set(
    "wave number series lot group kind type sort amount part piece set couple pair "
    "range majority minority share rest"
)
# Nouns of doing, named with their object: "control of appointments".
ACTION_NOUNS = word_set(
    "control use loss rise fall growth spread abolition creation destruction removal "
    "collectivisation collectivization division reform ownership supply production "
    "protection defence defense support"
)
# A verb and a bare noun that together mean one thing: "take place".
IDIOMS = frozenset({("take", "place"), ("take", "part"), ("make", "sense"), ("take", "effect")})
LINKING_VERBS = word_set("be seem appear become look remain prove sound")
CAUSATIVES = frozenset({"make", "force", "have", "let", "help", "get"})
PLAIN_ADVERBS = word_set(
    "easily quickly really largely likely mainly simply clearly actively only fully early "
    "nearly hardly finally eventually mostly partly highly widely rapidly slowly likely "
    "apparently initially originally particularly especially certainly probably possibly "
    "significantly mistakenly reportedly allegedly recently previously directly newly"
)


__all__ = [
    "ACTION_NOUNS",
    "CAUSATIVES",
    "GENERIC_NOUNS",
    "IDIOMS",
    "LABEL_NOUNS",
    "LINKING_VERBS",
    "PARTITIVES",
    "PLAIN_ADVERBS",
    "SEEING_VERBS",
    "VERDICT_VERBS",
]

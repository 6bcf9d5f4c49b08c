"""Distress detector: behaviour tables, robustness, clinic extension and eval-set targets."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.domain.distress import Category, Detection, Lexicon, Severity, detect, load_lexicon
from bot.domain.distress.prefilter import build_index

EVAL_PATH = Path(__file__).resolve().parents[1] / "data" / "distress_eval.jsonl"

SUICIDE, SELF_HARM, OVERDOSE = Category.SUICIDE, Category.SELF_HARM, Category.OVERDOSE
HARM_OTHERS, ABUSE, RELAPSE = Category.HARM_OTHERS, Category.ABUSE, Category.RELAPSE
EMERGENCY, CRISIS = Severity.EMERGENCY, Severity.CRISIS


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def category_of(text: str, lexicon: Lexicon) -> Category | None:
    found = detect(text, lexicon)
    return found.category if found else None


# --------------------------------------------------------------------------- positives
DETECTED = [
    # suicide: explicit, indirect, goodbye, means
    ("I want to kill myself", SUICIDE, CRISIS),
    ("i dont want to live anymore", SUICIDE, CRISIS),
    ("everyone would be better off without me", SUICIDE, CRISIS),
    ("I won't be a burden much longer", SUICIDE, CRISIS),
    ("tell my kids I love them, this is goodbye", SUICIDE, CRISIS),
    ("I've been giving my things away", SUICIDE, CRISIS),
    ("I wrote letters to everyone", SUICIDE, CRISIS),
    ("there's no reason to keep going", SUICIDE, CRISIS),
    ("I want to go to sleep and never wake up", SUICIDE, CRISIS),
    ("how many tylenol would it take to not wake up", SUICIDE, CRISIS),
    ("I took all my pills", SUICIDE, EMERGENCY),
    ("I have the gun in my hand", SUICIDE, EMERGENCY),
    ("I'm standing on the bridge right now", SUICIDE, EMERGENCY),
    ("I want to die, the pills are right here", SUICIDE, EMERGENCY),
    # things that look negated or past but are current
    ("I tried to kill myself last night", SUICIDE, CRISIS),
    ("I'm not ok, I want to die", SUICIDE, CRISIS),
    ("I'm not going to make it through tonight", SUICIDE, CRISIS),
    ("I overdosed in 2019 and now I want to die", SUICIDE, CRISIS),
    # self-harm
    ("I cut myself again tonight", SELF_HARM, CRISIS),
    ("the urge to cut is so strong", SELF_HARM, CRISIS),
    ("i burned my arm with a lighter on purpose", SELF_HARM, CRISIS),
    ("I cut too deep and it won't stop bleeding", SELF_HARM, EMERGENCY),
    # overdose and medical emergencies, also in someone else
    ("he's not breathing", OVERDOSE, EMERGENCY),
    ("my brother is turning blue", OVERDOSE, EMERGENCY),
    ("how much narcan do I give him he's not waking up", OVERDOSE, EMERGENCY),
    ("my toddler got into my methadone", OVERDOSE, EMERGENCY),
    ("I think I took too much, my heart is pounding", OVERDOSE, EMERGENCY),
    # harm to others
    ("I'm going to kill him", HARM_OTHERS, EMERGENCY),
    ("i have a gun and i'm going to his house", HARM_OTHERS, EMERGENCY),
    # abuse
    ("my husband hits me", ABUSE, CRISIS),
    ("I'm afraid to go home", ABUSE, CRISIS),
    ("he said he'll kill me if I leave", ABUSE, CRISIS),
    ("he's breaking down the door", ABUSE, EMERGENCY),
    ("he hit me last night and he's outside right now", ABUSE, EMERGENCY),
    # acute relapse danger
    ("I'm about to use alone", RELAPSE, CRISIS),
    ("going to use tonight", RELAPSE, CRISIS),
    ("just got out and scoring", RELAPSE, CRISIS),
    ("lost my tolerance in jail and i'm going to do my usual", RELAPSE, CRISIS),
]


@pytest.mark.parametrize(("text", "category", "severity"), DETECTED)
def test_detects_category_and_severity(
    text: str, category: Category, severity: Severity, lexicon: Lexicon
) -> None:
    found = detect(text, lexicon)
    assert found is not None
    assert (found.category, found.severity) == (category, severity)


SPANISH = [
    ("me quiero morir", SUICIDE),
    ("quiero matarme", SUICIDE),
    ("no quiero vivir", SUICIDE),
    ("me voy a quitar la vida", SUICIDE),
    ("ya no aguanto más", SUICIDE),
    ("Ya no aguanto mas", SUICIDE),
    ("me corto", SELF_HARM),
    ("me estoy cortando otra vez", SELF_HARM),
    ("sobredosis", OVERDOSE),
    ("no respira", OVERDOSE),
    ("mi hijo se comió mis pastillas", OVERDOSE),
    ("lo voy a matar", HARM_OTHERS),
    ("me pega", ABUSE),
    ("mi esposo me pegó otra vez", ABUSE),
    ("tengo miedo de volver a casa", ABUSE),
    ("voy a consumir solo", RELAPSE),
    ("salí de la cárcel y voy a drogarme", RELAPSE),
]

SLANG_TYPOS_EMOJI = [
    ("kms", SUICIDE),
    ("i should just kys", SUICIDE),
    ("gonna unalive myself", SUICIDE),
    ("sewer slide thoughts again", SUICIDE),
    ("ready to ctb", SUICIDE),
    ("want to die fr", SUICIDE),
    ("i'm so suicidle", SUICIDE),
    ("thinking about sucide", SUICIDE),
    ("i want to kil myself", SUICIDE),
    ("i want to diiiie", SUICIDE),
    ("I want to k1ll myself", SUICIDE),
    ("ｉ ｗａｎｔ ｔｏ ｄｉｅ", SUICIDE),
    ("ki\u200bll myself", SUICIDE),
    ("i want to d i e", SUICIDE),
    ("💊💊💊 bye", SUICIDE),
    ("⚰️ soon", SUICIDE),
    ("🔪🩸", SELF_HARM),
    ("i want to 🔪 myself", SELF_HARM),
    ("i think she overdoes", OVERDOSE),
    ("he od'd what do i do", OVERDOSE),
    ("need narcon now", OVERDOSE),
]


@pytest.mark.parametrize(("text", "category"), SPANISH + SLANG_TYPOS_EMOJI)
def test_spanish_slang_typos_and_emoji(text: str, category: Category, lexicon: Lexicon) -> None:
    assert category_of(text, lexicon) is category


# --------------------------------------------------------------------------- hard negatives
NOT_DETECTED = {
    "idiom": [
        "this traffic is killing me",
        "I'd die for a coffee",
        "my phone died",
        "shoot me a text",
        "I'm dying to see my kids",
        "that joke killed",
        "killing it at work",
        "dead tired",
        "I could kill for a burger",
        "my mom is gonna kill me if I'm late",
        "me muero de risa",
        "me mata el calor",
        "ese examen me mató",
        "I'm proud of myself for going to group",
    ],
    "negation": [
        "I'm not suicidal",
        "I would never hurt myself",
        "no quiero hacerme daño",
        "not thinking of using tonight",
        "my husband and I fight but he never hits me",
        "I don't have any thoughts of hurting myself or others",
    ],
    "settled past": [
        "my uncle died of an overdose last year",
        "I used to self-harm, 3 years free now",
        "I overdosed in 2019 and that's why I'm here",
        "I had suicidal thoughts years ago but not anymore",
        "my ex hit me but that was years ago",
        "intenté suicidarme hace muchos años",
    ],
    "program or information question": [
        "what does IOP do about suicidal thoughts?",
        "do you take people who have attempted suicide before?",
        "is narcan covered by insurance?",
        "where can I get naloxone training?",
        "what should I do if I find someone overdosing?",
        "¿qué hace el programa con los pensamientos suicidas?",
    ],
    "intake fact": [
        "I inject heroin",
        "I'm pregnant",
        "I was discharged from detox yesterday",
        "I relapsed last month",
        "I drink every day",
        "I'm on suboxone",
        "i usually use alone at home",
        "estoy en metadona",
    ],
    "everyday": [
        "I'm going to use the gym after group",
        "I'm going to pick up my kids from school",
        "I bought a rope for the tire swing",
        "goodbye, see you next week!",
        "i had a dream i overdosed and it freaked me out",
        "voy a tomar el autobús a la clínica",
    ],
}


@pytest.mark.parametrize(
    "text",
    [pytest.param(t, id=f"{family}: {t}") for family, ts in NOT_DETECTED.items() for t in ts],
)
def test_hard_negatives_are_not_flagged(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is None


# --------------------------------------------------------------------------- phenomena
# Sibling phrasings of the phenomena found on the blind sets, written fresh (not copied from
# them): each pair is a positive and a hard negative built on the same words.
PHENOMENA = [
    # a decided plan / method / date
    ("ive decided how and when, dont try to talk me out of it", SUICIDE),
    ("ive decided how and when to tell my boss about rehab", None),
    ("found a permanent fix for everything. tonight", SUICIDE),
    ("we found a permanent solution for the leaky roof", None),
    ("the kids will be fine once im gone, they'll get the insurance", SUICIDE),
    ("once im gone to work the kids will be with my mom", None),
    ("estoy sentado en el puente pensando si me tiro", SUICIDE),
    ("mi hijo dice que se va a matar de risa con esa pelicula", None),
    # use event + body signs, intent to OD, accidental double dose
    ("snorted a pressed 30 and now my chest is tight and im dizzy", OVERDOSE),
    ("my dad took his evening meds twice by mistake and hes really confused", OVERDOSE),
    ("i took my evening meds twice by mistake last year, it was fine", None),
    ("creo que me pase con la dosis, se me cierran los ojos", OVERDOSE),
    # veiled or conditional threats, weapon + target + travel
    ("one more comment from him and im stabbing him", HARM_OTHERS),
    ("going over to his place with my glock tonight", HARM_OTHERS),
    ("the shotgun is in my trunk and i know where he works", HARM_OTHERS),
    ("the bat is in my trunk for softball tonight", None),
    ("ill be waiting for him at the airport", None),
    ("esta noche le quemo el carro", HARM_OTHERS),
    ("me dan ganas de matarlo cuando no lava los platos jaja", None),
    # third-party abuse, control, stalking, coercion
    ("her boyfriend has been hitting my grandson", ABUSE),
    ("my dad hit my car in the driveway", None),
    ("he took my phone and my car keys so i cant leave", ABUSE),
    ("my ex keeps following me and parked outside my job again", ABUSE),
    ("my ex keeps following me on instagram", None),
    ("mi papa le esta pegando a mi hermano ahorita", ABUSE),
    # self-harm told by a parent, other methods, SH relapse
    ("she has fresh cuts all over her arms", SELF_HARM),
    ("6 months without cutting and tonight i relapsed", SELF_HARM),
    ("se esta cortando las piernas otra vez", SELF_HARM),
    ("se esta cortando el pelo mi hija", None),
    # relapse: acquisition + intent/time, already at the venue
    ("picked up a few xans from a guy at work. popping them tonight", RELAPSE),
    ("waiting on my plug outside the gas station", RELAPSE),
    ("waiting on my guy to fix the car", None),
    ("i cracked the seal on the new pickle jar", None),
    ("le textee al dealer, ya viene", RELAPSE),
    ("ya compre los boletos", None),
    ("My old dealer texted me today. I didn't answer and I blocked him.", None),
    # blind set D: violence needs a target AND a means, route, vow or veiled threat
    ("there's a hammer under my seat and i know what time my landlord locks up", HARM_OTHERS),
    ("got my cousin's strap, rolling up on him tonight", HARM_OTHERS),
    ("traigo la pistola en la cintura y se a que hora sale del trabajo", HARM_OTHERS),
    ("im gonna put a couple in him when he comes out the club", HARM_OTHERS),
    ("I've been planning it for months. I know his route home and when he's alone.", HARM_OTHERS),
    ("my knife is in my bag, I'm a line cook and heading to work", None),
    ("I know his route home because I used to drive him to work", None),
    ("I'm going to kill my sister when she gets home, she ate my cake 😂", None),
    ("my kid screamed I'm going to kill you at his sister, is that normal?", None),
    ("My ex is a piece of work. I know where she lives but I'm done with her", None),
    # relapse: one last time, old using partners, a drink already poured
    ("one last bender this weekend and then I go to detox", RELAPSE),
    ("ya voy en la tercera chela y llevaba 4 meses sin tomar", RELAPSE),
    ("my wife is 8 months sober and she's drunk right now", RELAPSE),
    ("my son is 4 months clean and right now he's at work", None),
    ("one last time: thank you for the help this year", None),
    # suicide: means placed + a window, arrangements, a retracted joke
    ("the pills I've been hoarding are in my nightstand. nobody is home this weekend", SUICIDE),
    ("I won't be able to feed my cat after tonight, can someone take her?", SUICIDE),
    ("kms lol jk... unless", SUICIDE),
    ("bought some rope for the tent, camping this weekend", None),
    ("I tried to kill myself once. That was a long time ago and I have support now.", None),
    # overdose signs win over a pill count; abuse threats tied to telling
    ("took like 20 of my klonopin and now everything is going dark", OVERDOSE),
    ("if I tell my counselor he'll take the kids and call immigration", ABUSE),
    ("if I leave early he'll take the kids to practice", None),
    ("she has burns on her arms from the stove at work", None),
]


@pytest.mark.parametrize(("text", "category"), PHENOMENA)
def test_blind_set_phenomena_generalize(
    text: str, category: Category | None, lexicon: Lexicon
) -> None:
    assert category_of(text, lexicon) is category


def test_rule_requires_and_unless_look_at_the_whole_message(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(
        '[[rule]]\nid = "clinic.pickup"\ncategory = "relapse"\n'
        'patterns = ["meet him at the corner"]\nrequires = ["cash"]\nunless = ["blocked him"]\n',
        encoding="utf-8",
    )
    lexicon = load_lexicon(extra=clinic)
    assert category_of("got the cash. gonna meet him at the corner", lexicon) is RELAPSE
    assert category_of("gonna meet him at the corner", lexicon) is None
    assert category_of("got the cash. meet him at the corner? no, blocked him", lexicon) is None


# --------------------------------------------------------------------------- long messages
ORDINARY = (
    "Group was fine today, we talked about triggers and I shared about payday. My sister came "
    "over with the kids and we made tacos. Work is stressful and my manager changed the schedule "
    "again, so I might miss the Friday meeting, but I'll go Saturday morning instead. "
)
ORDINARIO = (
    "Hoy fui al grupo y hablamos de los límites. Después compré verduras y mi hija quiere "
    "enchiladas el domingo. Me duele la espalda pero ya estoy mejor. "
)


@pytest.mark.parametrize("where", [0.0, 0.5, 1.0])
@pytest.mark.parametrize(
    ("filler", "danger", "category"),
    [
        (
            ORDINARY,
            "I don't think I'll be around for christmas, I wrote letters to my kids.",
            SUICIDE,
        ),
        (ORDINARY, "wait my roommate collapsed and hes not breathing.", OVERDOSE),
        (ORDINARIO, "La verdad ya no quiero vivir.", SUICIDE),
    ],
)
def test_danger_buried_in_a_long_message(
    where: float, filler: str, danger: str, category: Category, lexicon: Lexicon
) -> None:
    body = filler * (3000 // len(filler))
    cut = int(len(body) * where)
    assert category_of(f"{body[:cut]} {danger} {body[cut:]}", lexicon) is category


def test_long_ordinary_message_is_not_flagged(lexicon: Lexicon) -> None:
    assert detect(ORDINARY * 30 + ORDINARIO * 30, lexicon) is None


# --------------------------------------------------------------------------- choosing a result
@pytest.mark.parametrize(
    ("text", "category", "severity"),
    [
        ("I want to die. Also my friend is not breathing", OVERDOSE, EMERGENCY),
        ("I want to kill myself and I've been cutting again", SUICIDE, CRISIS),
        ("I'm going to use tonight and honestly I want to die", SUICIDE, CRISIS),
        ("he hits me and I'm going to kill him", HARM_OTHERS, EMERGENCY),
    ],
)
def test_most_urgent_category_wins(
    text: str, category: Category, severity: Severity, lexicon: Lexicon
) -> None:
    found = detect(text, lexicon)
    assert found is not None
    assert (found.category, found.severity) == (category, severity)


def test_rule_is_a_lexicon_id_never_message_text(lexicon: Lexicon) -> None:
    rule_ids = {r.id for r in lexicon.rules} | {e.id for e in lexicon.escalations}
    for text in ["I want to kill myself tonight", "he's not breathing", "me pega"]:
        found = detect(text, lexicon)
        assert found is not None
        assert found.rule in rule_ids
        assert text.lower() not in found.rule


# --------------------------------------------------------------------------- robustness
def _odd_texts(count: int = 300) -> list[str]:
    rng = random.Random(20240611)
    pools = [
        (0x20, 0x7E),  # ASCII
        (0x00, 0x1F),  # control characters
        (0xA0, 0x24F),  # Latin with accents
        (0x300, 0x36F),  # combining marks
        (0x590, 0x6FF),  # Hebrew, Arabic
        (0x200B, 0x200F),  # zero-width and direction marks
        (0xD800, 0xDFFF),  # lone surrogates
        (0x4E00, 0x4E80),  # CJK
        (0x1F300, 0x1FAFF),  # emoji
        (0xFF01, 0xFF5E),  # full-width forms
    ]
    words = ["kill", "myself", "die", "not", "pills", "💊", "?", ".", "(", "\\", "{self}", "*"]
    texts = ["", " ", "\n" * 50, "?" * 500, "a" * 100_000, "💊" * 2000, "kill myself " * 500]
    for _ in range(count):
        if rng.random() < 0.5:
            low, high = rng.choice(pools)
            texts.append("".join(chr(rng.randint(low, high)) for _ in range(rng.randint(1, 400))))
        else:
            texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 60))))
    return texts


def test_never_raises_on_odd_input(lexicon: Lexicon) -> None:
    for text in _odd_texts():
        found = detect(text, lexicon)
        assert found is None or isinstance(found, Detection)


def test_prefilter_never_hides_a_match(lexicon: Lexicon) -> None:
    every_pattern = tuple(
        (rule_index, pattern_index)
        for rule_index, rule in enumerate(lexicon.rules)
        for pattern_index in range(len(rule.regexes))
    )
    unfiltered = lexicon.model_copy(
        update={"anchors": {}, "literal_index": build_index([]), "always": every_pattern,
                "exclusions": tuple(e.model_copy(update={"literals": None})
                                    for e in lexicon.exclusions)}
    )
    texts = [json.loads(line)["text"] for line in EVAL_PATH.read_text().splitlines()]
    for text in texts + _odd_texts(100):
        assert detect(text, lexicon) == detect(text, unfiltered), text[:80]


def test_module_imports_no_telegram_or_storage() -> None:
    code = (
        "import sys, bot.domain.distress;"
        "print([m for m in sys.modules if m.split('.')[0] in ('telegram', 'aiosqlite', 'sqlite3')"
        " or m.startswith('bot.storage') or m.startswith('bot.handlers')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- clinic extension
CLINIC_FILE = """
disable = ["suicide.goodbye"]

[macros]
drug = ["blues", "tranq"]

[[rule]]
id = "clinic.candy_lady"
category = "relapse"
patterns = ["(?:going to|gonna) (?:go )?see the candy lady"]

[[exclusion]]
id = "clinic.band_name"
categories = ["suicide"]
patterns = ["suicide silence"]
"""


def test_clinic_file_adds_phrases_slang_and_exclusions_without_code(tmp_path: Path) -> None:
    base = load_lexicon()
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(CLINIC_FILE, encoding="utf-8")
    extended = load_lexicon(extra=clinic)

    phrase = "I'm gonna go see the candy lady tonight"
    slang = "i have the blues in front of me"
    band = "we're going to the Suicide Silence show"
    disabled = "this is goodbye"
    assert [category_of(t, base) for t in (phrase, slang, band, disabled)] == [
        None,
        None,
        SUICIDE,
        SUICIDE,
    ]
    assert [category_of(t, extended) for t in (phrase, slang, band, disabled)] == [
        RELAPSE,
        RELAPSE,
        None,
        None,
    ]
    found = detect(phrase, extended)
    assert found is not None and found.rule == "clinic.candy_lady"
    assert category_of("I want to kill myself", extended) is SUICIDE


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[rule]]\nid = "x"\ncategory = "suicide"\npatterns = ["{nope}"]', "unknown macro"),
        ('[[rule]]\nid = "x"\ncategory = "suicide"\npatterns = ["(unclosed"]', "bad pattern"),
        ('[[rule]]\nid = "x"\ncategory = "suicide"\npatterns = ["ends with space "]', "space"),
        ('[[rule]]\nid = "x"\ncategory = "sadness"\npatterns = ["x"]', "category"),
        ('[[rule]]\nid = "x"\ncategory = "suicide"\npattern = ["typo"]', "pattern"),
    ],
)
def test_broken_clinic_file_fails_loudly(tmp_path: Path, content: str, message: str) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(content, encoding="utf-8")
    with pytest.raises((ValueError, ValidationError), match=message):
        load_lexicon(extra=clinic)


# --------------------------------------------------------------------------- eval-set targets
MIN_RECALL, MAX_FPR = 0.98, 0.05


def test_eval_set_meets_recall_and_false_positive_targets(lexicon: Lexicon) -> None:
    rows = [json.loads(line) for line in EVAL_PATH.read_text(encoding="utf-8").splitlines()]
    truth = [row["label"] for row in rows]
    guess = [category_of(row["text"], lexicon) or "none" for row in rows]
    pairs = list(zip(truth, guess, strict=True))
    misses = {}
    for category in Category:
        support = sum(t == category for t, _ in pairs)
        recall = sum(t == g == category for t, g in pairs) / support
        fpr = sum(g == category != t for t, g in pairs) / (len(pairs) - support)
        if recall < MIN_RECALL or fpr > MAX_FPR:
            misses[category.value] = (round(recall, 3), round(fpr, 3))
    positives = [(t, g) for t, g in pairs if t != "none"]
    negatives = [(t, g) for t, g in pairs if t == "none"]
    any_recall = sum(g != "none" for _, g in positives) / len(positives)
    any_fpr = sum(g != "none" for _, g in negatives) / len(negatives)
    assert not misses, misses
    assert any_recall >= MIN_RECALL
    assert any_fpr <= MAX_FPR


def test_eval_set_shape() -> None:
    rows = [json.loads(line) for line in EVAL_PATH.read_text(encoding="utf-8").splitlines()]
    labels = [row["label"] for row in rows]
    assert len(rows) >= 400
    assert labels.count("none") >= len(rows) - labels.count("none")
    assert sum(row["lang"] == "es" for row in rows) >= 0.2 * len(rows)
    for category in Category:
        langs = {row["lang"] for row in rows if row["label"] == category}
        assert langs == {"en", "es"}, category
    assert {row["split"] for row in rows} == {"dev", "holdout", "blind_a", "blind_b", "blind_d"}

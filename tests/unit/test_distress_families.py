"""Rule families of issue 9's second round (crisis texting, third-party danger, control and
weapons, relapse texting), the rules' framing exclusion for mentions and the backstop's
dampening of topic and settled-past framing."""

import importlib

import pytest

from bot.domain.distress import Category, Lexicon, detect, load_detector, load_lexicon
from bot.domain.distress.detector import framed
from bot.domain.distress.screen import DAMPEN, backstop

SUICIDE, SELF_HARM, OVERDOSE = Category.SUICIDE, Category.SELF_HARM, Category.OVERDOSE
HARM_OTHERS, ABUSE, RELAPSE = Category.HARM_OTHERS, Category.ABUSE, Category.RELAPSE


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.mark.parametrize(("text", "category", "rule"), [
    ("honestly might dip out permanently lol", SUICIDE, "suicide.texting_slang"),
    ("if i dont reply tmrw its cuz i did it", SUICIDE, "suicide.texting_slang"),
    ("i finished my note, its in the drawer", SUICIDE, "suicide.texting_slang"),
    ("this is the last time ill bug any of you", SUICIDE, "suicide.texting_slang"),
    ("ya me voy de este mundo, cuidense", SUICIDE, "suicide.texting_slang"),
    ("in my car in the garage w the engine on", SUICIDE, "suicide.texting_slang"),
    ("my sister just posted a goodbye on insta and her phone is off", SUICIDE,
     "suicide.third_party_goodbye"),
    ("mi primo publico su carta de despedida y no contesta", SUICIDE,
     "suicide.third_party_goodbye"),
    ("my cuts keep opening up at work", SELF_HARM, "self_harm.texting"),
    ("the razor in my bag is calling me", SELF_HARM, "self_harm.texting"),
    ("slamming my hand in the drawer on purpose", SELF_HARM, "self_harm.texting"),
    ("ando con ganas de rajarme", SELF_HARM, "self_harm.texting"),
    ("my boyfriend is cold and clammy after using in the bathroom", OVERDOSE,
     "overdose.third_party_signs"),
    ("my 2 yo got into the cabinet and swallowed a few of grandmas methadone", OVERDOSE,
     "overdose.third_party_signs"),
    ("our neighbor's son keeps saying he'll burn his ex", HARM_OTHERS,
     "harm_others.third_party_threat"),
    ("i have thoughts of shaking the baby when she screams", HARM_OTHERS,
     "harm_others.third_party_threat"),
    ("i don't trust myself around my newborn tonight", HARM_OTHERS,
     "harm_others.third_party_threat"),
    ("that dude gonna catch these hands when i see him", HARM_OTHERS, "harm_others.texting"),
    ("going to put something in her coffee so she learns", HARM_OTHERS, "harm_others.texting"),
    ("he pointed a gun at me in the kitchen", ABUSE, "abuse.control_and_weapon"),
    ("my wife controls my paycheck and my phone", ABUSE,
     "abuse.control_and_weapon"),
    ("she won't let me go to treatment anymore", ABUSE, "abuse.control_and_weapon"),
    ("relapsed last night and i still have some left", RELAPSE, "relapse.texting"),
    ("been drinking since lunch and not stopping", RELAPSE, "relapse.texting"),
    ("sitting outside the liquor store rn", RELAPSE, "relapse.texting"),
])
def test_new_families_fire(text: str, category: Category, rule: str, lexicon: Lexicon) -> None:
    found = detect(text, lexicon)
    assert found is not None and found.category is category and found.rule == rule, found


@pytest.mark.parametrize("text", [
    "we checked out of the hotel early, back for group",
    "my notes are written up for the step meeting",
    "this is the last time ill be late, promise",
    "put my hands on his shoulder and prayed with him",
    "the budget cuts are hitting the clinic hard",
    "he took my phone charger again lol",
    "my son is using again and i don't know what to say to him",
    "my ex won't let me see the kids until i finish the program",
    "i never put hands on my kids and never will",
    "i don't want to catch these hands lol",
    "my dad pulled up on us with pizza tonight",
    "pa que sigo con este trabajo si no me pagan",
    "no tengo ganas de cortarme el pelo",
])
def test_hard_negatives_stay_quiet(text: str, lexicon: Lexicon) -> None:
    assert detect(text, lexicon) is None


@pytest.mark.parametrize("text", [
    "tonight at family night they went over suicide warning signs, really useful",
    "the nurse handed out a flyer about overdose signs, can i get one for my dad",
    "doing a research paper on self harm in teens, do you have stats",
    "ayer en la escuela dieron una charla sobre el suicidio, mi hija me preguntó",
    "had the urge to cut last night but i held ice and called my sponsor, it passed",
    "me dieron ganas de cortarme pero salí a caminar y ya se me pasó",
])
def test_talk_about_the_topic_and_urges_that_passed_stay_quiet(text: str,
                                                               lexicon: Lexicon) -> None:
    """Round 4: more topic frames, a recent marker before the frame dates the talk, and an
    urge the person says has passed."""
    assert detect(text, lexicon) is None


@pytest.mark.parametrize(("text", "category"), [
    ("today in group we talked about suicide and i've been thinking about it again", SUICIDE),
    ("urges to cut but i texted my sister and she's not answering, i'm scared i'll do it",
     SELF_HARM),
    ("tengo ganas de cortarme pero le marqué a mi prima y no contesta", SELF_HARM),
    ("had urges to cut but it passed. tonight i cut again", SELF_HARM),
])
def test_present_danger_still_fires_next_to_those(text: str, category: Category,
                                                  lexicon: Lexicon) -> None:
    found = detect(text, lexicon)
    assert found is not None and found.category is category


@pytest.mark.parametrize(("text", "expected"), [
    ("in group today we talked about what to do after an overdose", True),
    ("watched a documentary about people who lost a parent to suicide", True),
    ("we had narcan training at work, everyone got a kit", True),
    ("hablamos de las recaidas en el grupo y me ayudo", True),
    ("that was my worst year, now i'm clean and doing good", True),
    ("looking back at how bad the drinking got is wild", True),
    ("is narcan covered by insurance? my mom wants a kit", True),
    ("can my husband still join the program if he relapsed last month", True),
    ("i used to cut and tonight i did it again", False),
    ("everything feels heavy and i can't see a way out", False),
    ("years ago i tried, and last night i almost did again", False),
])
def test_framing_is_recognised(text: str, expected: bool, lexicon: Lexicon) -> None:
    assert framed(text, lexicon) is expected


@pytest.mark.parametrize("text", [
    "the group topic today was self harm and it actually helped a lot to hear others",
    "in group today we talked about suicide and it helped to hear others",
    "my daughter is writing about self harm for her school project",
    "Did my 4th step and wrote about all the times I wanted to die. Felt lighter after",
    "looking back at my old texts from when i was suicidal is wild, i'm in such a better place",
    "the night i od'd in my car feels like another life",
    "En el grupo hoy hablamos del suicidio y me dejó pensando en mi tío.",
    "Cuando tomaba me dieron convulsiones, pero eso fue hace mucho, ya estoy estable",
])
def test_framed_mentions_stay_quiet(text: str, lexicon: Lexicon) -> None:
    """A mention rule does not fire on talk about the topic or on a settled past."""
    assert detect(text, lexicon) is None


@pytest.mark.parametrize(("text", "rule"), [
    ("we talked about suicide in group and honestly I want to die tonight", None),
    ("in group we talked about suicide and I've been having suicidal thoughts again",
     "suicide.mention"),
    ("in group we talked about self harm and i'm cutting again", "self_harm.cutting"),
    ("looking back is hard, i'm suicidal right now", "suicide.mention"),
    ("thinking about carving his name into my leg like i used to", "self_harm.cutting"),
    ("i used to drink but now i'm suicidal", "suicide.mention"),
    ("en el grupo hablamos del suicidio y ahorita estoy pensando en suicidarme",
     "suicide.kill_self"),
    ("watched a documentary about overdoses and I just took 30 of my xanax", None),
])
def test_present_danger_in_a_frame_still_fires(text: str, rule: str | None,
                                               lexicon: Lexicon) -> None:
    """The exclusion reaches only mention rules, and not when the clause speaks of oneself
    now; present-danger rules fire inside any frame."""
    found = detect(text, lexicon)
    assert found is not None
    assert rule is None or found.rule == rule


def test_framed_message_needs_a_stronger_vote(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same learned vote fires on a plain message and not on one framed as talk about the
    topic, unless it is strong enough to pass the dampened threshold too."""
    detector = load_detector(head=None)
    assert detector.model is not None and 0 < DAMPEN < 1
    limit = detector.model.threshold
    plain, topic = "thoughts i cant shake lately", "a podcast about thoughts i cant shake"
    for p_none, fires in ((limit * 0.9, (True, False)), (limit * DAMPEN * 0.9, (True, True))):
        monkeypatch.setattr(importlib.import_module("bot.domain.distress.screen"), "probabilities",
                            lambda _piece, _model, p=p_none: [p, 1 - p, 0, 0, 0, 0, 0])
        assert (backstop(plain, detector) is not None, backstop(topic, detector) is not None) \
            == fires


@pytest.mark.parametrize(("text", "fires"), [
    ("I am not safe", True), ("No, I'm not safe.", True), ("im not safe right now", True),
    ("honestly im not safe tonight", True), ("I'm not safe with myself", True),
    ("i dont feel safe anymore", True), ("No estoy a salvo.", True),
    ("no me siento segura", True), ("pero no me siento a salvo ahorita", True),
    ("im not safe to drive after my meds", False), ("i dont feel safe sharing in group", False),
    ("is it safe to take with methadone?", False), ("I feel safe now", False),
    ("no me siento segura de mi respuesta", False), ("the car is not safe", False),
])
def test_saying_one_is_not_safe(text: str, fires: bool, lexicon: Lexicon) -> None:
    """How safety plans and crisis lines ask people to say it; not "safe to drive"."""
    found = detect(text, lexicon)
    assert (found is not None and found.rule == "suicide.not_safe") is fires

"""Everyday messages a clinic's bot receives, all labelled "none", for training only.

The labelled set is rich in hard negatives (idioms, negation, past events) but thin on the
plain logistics that make up most real traffic; without these the learned backstop mistook
"I will be there tomorrow" for a threat.
"""

from itertools import product

WHEN = ["tomorrow", "today", "tonight", "on monday", "friday", "next week", "at 6",
        "this afternoon", "in the morning", "after work", "at 2:30 pm", "on wednesday"]
CUANDO = ["mañana", "hoy", "esta noche", "el lunes", "el viernes", "la próxima semana",
          "a las 6", "en la tarde", "después del trabajo", "el miércoles"]
NAMES = ["Maya", "Sam", "Leo", "Rosa", "Jay", "Kim", "Dana", "Luis", "Ana", "Tom"]

ENGLISH = [
    "i will be there {w}", "see you {w}", "i'll be at group {w}", "can we move my session to {w}",
    "running late, i'll be there {w}", "what time is group {w}", "can you call me {w}",
    "i can't make it {w}, my kid is sick", "is my appointment still on {w}",
    "i have a doctor's appointment {w}", "i'm working {w} so i might be late",
    "my ride can pick me up {w}", "i'll call the clinic {w}", "can i bring my partner {w}",
    "i need to reschedule {w}", "i'll see my counselor {w}", "we have family session {w}",
    "i'm taking my meds {w} like the doctor said", "i start my new job {w}",
    "i'm going to my meeting {w}", "my sponsor is coming over {w}",
]
SPANISH = [
    "ahí estaré {w}", "nos vemos {w}", "voy al grupo {w}", "¿puedo cambiar mi cita para {w}?",
    "llego tarde, estaré ahí {w}", "¿a qué hora es el grupo {w}?", "llámenme {w} por favor",
    "no puedo ir {w}, mi niño está enfermo", "tengo cita con el doctor {w}",
    "voy a mi junta {w}", "empiezo mi nuevo trabajo {w}", "mi esposa me lleva {w}",
]
PLAIN = [
    "thanks for the reminder", "thank you so much", "ok sounds good", "got it, thanks",
    "what's the address", "is there parking", "do you take medicaid", "how long is group",
    "can my mom come to family night", "what should i bring", "where do i sign in",
    "i'm new here, how does this work", "my name is {n}", "this is {n}", "hi it's {n}",
    "{n} here, checking in", "please call me, my number changed", "who is my counselor",
    "i liked the lesson about sleep", "group was really good today",
    "can i get a letter for my job", "how do i get my suboxone refill",
    "gracias por el recordatorio", "muchas gracias", "¿dónde es la clínica?",
    "¿aceptan medicaid?", "me llamo {n}", "soy {n}", "¿quién es mi consejero?",
    "el grupo estuvo muy bien hoy", "¿cuánto dura el grupo?",
]


def everyday() -> list[str]:
    texts = [t.format(w=w) for t, w in product(ENGLISH, WHEN)]
    texts += [t.format(w=w) for t, w in product(SPANISH, CUANDO)]
    texts += [t.format(n=n) for t, n in product(PLAIN, NAMES) if "{n}" in t]
    texts += [t for t in PLAIN if "{n}" not in t]
    return sorted(set(texts))

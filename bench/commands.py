"""100 varied commands for a home, the same every run (seeded): device names and aliases, areas,
numbers, questions, two-command sentences and chit-chat."""

from __future__ import annotations

import random

from agent.registry import Registry

_TEMPLATES = [
    ("light", "turn on the {name}"),
    ("light", "switch off the {name}"),
    ("light", "dim the {area} to {pct}%"),
    ("light", "set the {name} to {pct} percent"),
    ("light", "make the {name} brighter"),
    ("light", "turn off the lights in the {area}"),
    ("switch", "turn on the {name}"),
    ("cover", "open the {name}"),
    ("cover", "close the {name}"),
    ("cover", "set the {name} to {pct}%"),
    ("lock", "lock the {name}"),
    ("lock", "is the {name} locked?"),
    ("climate", "set the {name} to {temp} degrees"),
    ("climate", "what's the temperature in the {area}?"),
    ("fan", "set the {name} to {pct}%"),
    ("media_player", "pause the {name}"),
    ("media_player", "set the volume of the {name} to {pct}"),
    ("binary_sensor", "is the {name} open?"),
    ("vacuum", "start the {name}"),
    (None, "are any windows open?"),
    (None, "turn off the {name} and lock the front door"),
    (None, "what's the weather like tomorrow"),
    (None, "tell me a joke"),
]


def bench_commands(reg: Registry, n: int = 100, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    by_domain: dict[str, list] = {}
    for e in reg.entities:
        by_domain.setdefault(e.domain, []).append(e)
    out = []
    while len(out) < n:
        domain, template = rng.choice(_TEMPLATES)
        pool = by_domain.get(domain or "light")
        if not pool:
            continue
        entity = rng.choice(pool)
        area = reg.area(entity.area)
        out.append(
            template.format(
                name=rng.choice(entity.spoken_names),
                area=area.name if area else "house",
                pct=rng.choice([10, 25, 30, 50, 75, 100]),
                temp=rng.choice([18, 19.5, 21, 22]),
            )
        )
    return out

"""The browser model against real headless Chromium on generated cases (hypothesis, fixed seed).

``make test`` runs CORS_LAB_FUZZ_EXAMPLES cases (250 by default) with the seed CORS_LAB_FUZZ_SEED
(0 by default); set them to run more, or others:

    CORS_LAB_FUZZ_EXAMPLES=5000 CORS_LAB_FUZZ_SEED=7 .venv/bin/pytest tests/differential -s

Every case runs in Chromium and in the model against the same live servers; every disagreement
is printed as a one-case reproduction (paste its ``Case(...)`` into test_regressions.py), and the
test fails at the end if there was any.
"""

from __future__ import annotations

import os
import time

from hypothesis import HealthCheck, Phase, given, seed, settings

from .harness import ChromiumTab, WireServers, reproduction, run_case
from .strategies import cases

EXAMPLES = int(os.environ.get("CORS_LAB_FUZZ_EXAMPLES", "250"))
SEED = int(os.environ.get("CORS_LAB_FUZZ_SEED", "0"))


def test_model_agrees_with_chromium_on_generated_cases(
    wire_servers: WireServers, chromium_tab: ChromiumTab, chromium: object
) -> None:
    disagreements: list[str] = []
    seen = 0
    started = time.monotonic()

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: every disagreement is reported as generated
        suppress_health_check=list(HealthCheck),
    )
    @given(cases())
    def one(case) -> None:  # type: ignore[no-untyped-def]
        nonlocal seen
        seen += 1
        real, model = run_case(wire_servers, chromium_tab, case)
        if real != model:
            disagreements.append(reproduction(case, real, model))

    one()
    elapsed = time.monotonic() - started
    summary = (
        f"seed {SEED}: {seen - len(disagreements)} of {seen} generated cases agree with Chromium ({elapsed:.0f} s)"
    )
    print(summary)
    assert not disagreements, summary + "\n\n" + "\n\n".join(disagreements)

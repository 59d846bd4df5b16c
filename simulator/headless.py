"""A debrief as plain data, for playing a case without a browser (``play_case``)."""

from __future__ import annotations

from collections.abc import Sequence

from cases.models import CaseVersion
from scoring import rubric
from simulator import engine


def debrief_data(
    version: CaseVersion, choices: Sequence[Sequence[str]], state: engine.State
) -> dict:
    """The score, critical errors and per-decision verdicts with citation keys."""
    case, algorithm = version.parsed, version.algorithm_version.parsed
    result = rubric.score(algorithm, case, state.points, state.taken)
    replayed = engine.start(case)
    decisions = []
    for index, picked in enumerate(choices):
        stage = case.stages[replayed.stage]
        options = [stage.decision.option(key) for key in picked]
        decisions.append(
            {
                "decision": index + 1,
                "stage": replayed.stage,
                "prompt": stage.decision.prompt,
                "chosen": [
                    {"option": o.key, "label": o.label, "citations": o.citations} for o in options
                ],
                "verdicts": [
                    {
                        "action": v.action,
                        "verdict": v.verdict.value,
                        "severity": v.severity.value if v.severity else None,
                        "harm": v.harm,
                        "step": v.step,
                        "citations": list(v.citations),
                    }
                    for v in result.actions
                    if v.decision == index
                ],
            }
        )
        replayed = engine.advance(case, replayed, picked)
    return {
        "case": case.slug,
        "version": version.number,
        "algorithm": f"{algorithm.slug} v{version.algorithm_version.number}",
        "rubric_version": result.rubric_version,
        "score": result.score,
        "coverage": result.coverage,
        "penalties": result.penalties,
        "outcome": {"stage": state.stage, "outcome": case.stages[state.stage].outcome.value},
        "critical_errors": [
            {
                "decision": v.decision + 1,
                "action": v.action,
                "harm": v.harm,
                "citations": list(v.citations),
            }
            for v in result.critical_errors
        ],
        "decisions": decisions,
        "steps": [
            {
                "step": s.step,
                "weight": s.weight.value,
                "verdict": s.verdict.value,
                "citations": list(s.citations),
            }
            for s in result.steps
        ],
    }


def debrief_text(data: dict) -> str:
    lines = [
        f"{data['case']} v{data['version']} ({data['algorithm']}, rubric v{data['rubric_version']})",
        f"Score: {data['score']}/100 (coverage {data['coverage']:.1f}, penalties "
        + ", ".join(f"{k} {v}" for k, v in data["penalties"].items())
        + ")",
        f"Outcome: {data['outcome']['outcome']} ({data['outcome']['stage']})",
    ]
    for error in data["critical_errors"]:
        lines.append(
            f"CRITICAL ERROR at decision {error['decision']}: {error['action']} "
            f"({error['harm']}) [{', '.join(error['citations'])}]"
        )
    for decision in data["decisions"]:
        chosen = " + ".join(c["option"] for c in decision["chosen"])
        lines.append(f"{decision['decision']}. {decision['prompt']} -> {chosen}")
        for v in decision["verdicts"]:
            extra = f" {v['severity']} ({v['harm']})" if v["harm"] else ""
            lines.append(f"   {v['verdict']}{extra}: {v['action']} [{', '.join(v['citations'])}]")
    for verdict, title in (("missed", "Missed steps"), ("late", "Late steps")):
        found = [s["step"] for s in data["steps"] if s["verdict"] == verdict]
        lines.append(f"{title}: " + (", ".join(found) if found else "none"))
    return "\n".join(lines) + "\n"

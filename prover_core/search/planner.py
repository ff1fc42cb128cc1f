"""The planner: a chat LLM that decomposes a theorem into `have` subgoals.

Prompts are pure functions; the plan parser accepts a Lean code block (or bare text) of
`have NAME : STATEMENT := by sorry` steps followed by closing tactics. A plan is only used
after its skeleton elaborates (see `planner_prover`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from prover_core.config import PlannerConfig
from prover_core.errors import LeanstepError
from prover_core.http_json import JsonPoster, v1_url


class PlannerUnavailable(LeanstepError):
    """The planner endpoint could not produce a plan."""


SYSTEM_PROMPT = (
    "You are an expert in Lean 4 and Mathlib. You plan proofs: you break a theorem into "
    "intermediate lemmas that a tactic-level prover can prove one at a time."
)

INITIAL_TEMPLATE = """Plan a proof of this Lean 4 theorem.

```lean
{theorem}
```

Answer with one Lean 4 code block holding a tactic proof of the form:
  have h1 : <statement> := by sorry
  have h2 : <statement> := by sorry
  ...
  <closing tactics that prove the goal from h1, h2, ...>
Each `have` on one line. Later steps may use earlier ones and the theorem's hypotheses."""

REPLAN_TEMPLATE = """We are proving this Lean 4 theorem.

```lean
{theorem}
```

These steps are already proven; keep them exactly as they are:

```lean
{proven}
```

This step could not be proven:

```lean
{stuck}
```

Give a revised plan for the rest of the proof: one Lean 4 code block starting with the proven
steps verbatim (write their proofs as `by sorry`), then new `have NAME : STATEMENT := by sorry`
steps (one per line) and the closing tactics. Avoid the step that could not be proven, or
split it into smaller steps."""


@dataclass(frozen=True, slots=True)
class PlanStep:
    name: str
    statement: str

    def with_proof(self, proof_lines: Sequence[str] | None, indent: str) -> str:
        """The step as tactic text; `None` stands for a `sorry` proof."""
        if proof_lines is None:
            return f"{indent}have {self.name} : {self.statement} := by sorry"
        body = "\n".join(f"{indent}  {line}" for line in proof_lines)
        return f"{indent}have {self.name} : {self.statement} := by\n{body}"


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[PlanStep, ...]
    closing: tuple[str, ...]
    prelude: tuple[str, ...] = ()  # tactics before the first step (e.g. `intro h`)

    def skeleton(self, proofs: dict[str, Sequence[str]] | None = None, indent: str = "  ") -> str:
        """The tactic block: the prelude, the steps (proven ones with their proofs), then the
        closing lines."""
        proofs = proofs or {}
        lines = [f"{indent}{t}" for t in self.prelude]
        lines += [s.with_proof(proofs.get(s.name), indent) for s in self.steps]
        lines += [f"{indent}{c}" for c in self.closing]
        return "\n".join(lines)


_CODE = re.compile(r"```(?:lean4?|)\s*\n(.*?)```", re.DOTALL)
_HAVE = re.compile(
    r"^have\s+(?P<name>[^\s:]+)\s*:\s*(?P<stmt>.+?)\s*:=\s*(?:by\s+)?sorry\s*$", re.DOTALL
)


def _logical_lines(block: str) -> list[str]:
    """Join continuation lines (indented deeper than the step they continue)."""
    raw = [ln.rstrip() for ln in block.splitlines() if ln.strip() and ln.strip() != "by"]
    if not raw:
        return []
    base = min(len(ln) - len(ln.lstrip()) for ln in raw)
    out: list[str] = []
    for ln in raw:
        depth = len(ln) - len(ln.lstrip())
        if out and depth > base:
            out[-1] += " " + ln.strip()
        else:
            out.append(ln.strip())
    return out


def parse_plan(answer: str) -> Plan | None:
    """The plan in a planner answer, or None if it has no `have` step."""
    blocks = _CODE.findall(answer)
    text = max(blocks, key=len) if blocks else answer
    text = re.sub(r"^.*?:=\s*by\s*$", "", text, count=1, flags=re.MULTILINE)  # a restated head
    steps: list[PlanStep] = []
    closing: list[str] = []
    prelude: list[str] = []
    for line in _logical_lines(text):
        m = _HAVE.match(line)
        if m is not None and not closing:
            steps.append(PlanStep(m.group("name"), " ".join(m.group("stmt").split())))
        elif not line.startswith("--"):
            (closing if steps else prelude).append(line)
    return Plan(tuple(steps), tuple(closing), tuple(prelude)) if steps else None


class PlannerClient:
    """OpenAI-compatible `/v1/chat/completions` client for the planner."""

    def __init__(self, config: PlannerConfig) -> None:
        if not config.endpoint or not config.model:
            raise PlannerUnavailable("set planner.endpoint and planner.model to use sketches")
        self._config = config
        self._http = JsonPoster(
            v1_url(config.endpoint, "chat/completions"),
            PlannerUnavailable,
            api_key=config.api_key,
            timeout_s=config.request_timeout_s,
        )

    async def ask(self, prompt: str) -> str:
        data = await self._http.post(
            {
                "model": self._config.model,
                "messages": [
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": prompt},
                ],
                "temperature": self._config.temperature,
                "max_tokens": self._config.max_tokens,
            }
        )
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise PlannerUnavailable(f"{self._http.url}: answer without a message") from None
        if not isinstance(content, str):
            raise PlannerUnavailable(f"{self._http.url}: message content is not text")
        return content

    async def plan(self, theorem: str) -> str:
        return await self.ask(INITIAL_TEMPLATE.format(theorem=theorem))

    async def replan(self, theorem: str, proven: str, stuck: str) -> str:
        return await self.ask(REPLAN_TEMPLATE.format(theorem=theorem, proven=proven, stuck=stuck))

    async def aclose(self) -> None:
        await self._http.aclose()

"""Training commands for the `leanstep` CLI: `train`, `eval`, `demo`, `extract`.

`register(app)` adds them to a Typer app. Heavy modules (torch, transformers, peft, ray,
matplotlib) are imported inside command bodies, so `leanstep --help` stays fast.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from training.check_config import require_checkpoint, require_problem_set, require_runnable

if TYPE_CHECKING:
    from prover_core.config import Config, LeanConfig, PolicyConfig
    from training.config import SearchStage
    from training.evaluate import ProblemResult
    from training.problems import Problem
    from training.results import RoundRow

RayOpt = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="Run searches on Ray: `local` starts a local cluster, `auto` or HOST:PORT joins one.",
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"leanstep: {message}", err=True)
    return typer.Exit(2)


def parse_budget(text: str) -> tuple[int, int]:
    """`W×N` (or `WxN`): tactics per expansion × expansions per attempt."""
    m = re.fullmatch(r"\s*(\d+)\s*[x×X*]\s*(\d+)\s*", text)
    if m is None or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        raise typer.BadParameter(f"expected W×N such as 4×64, got {text!r}")
    return int(m.group(1)), int(m.group(2))


def _project_config(config: Path | None, standin: bool, near: Path) -> Config:
    """The project's leanstep.toml (or `config`); with `standin`, its REPL is the stand-in."""
    from prover_core.config import find_project_config, load_config
    from training.demo import STANDIN

    path = config if config is not None else find_project_config(near.resolve())
    loaded = load_config(path)
    return loaded.model_copy(update={"lean": STANDIN}) if standin else loaded


def _lean_config(config: Path | None, standin: bool, near: Path) -> LeanConfig:
    return _project_config(config, standin, near).lean


def _rset(row: RoundRow) -> str:
    """A retraining's set: its size and the share of training theorems it covers."""
    if row.kind != "retrain":
        return ""
    return (
        f" (retrain set {row.retrain_records} records, {100 * row.retrain_coverage:.0f}% covered)"
    )


def _quiet_hf() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def train_cmd(
    config: Annotated[
        Path | None, typer.Argument(help="Training config (TOML); omit with --resume.")
    ] = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue the run in this directory.")
    ] = None,
    ray_address: RayOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Validate CONFIG and what it names; run nothing.")
    ] = False,
) -> None:
    """Multi-stage expert iteration: SFT, search/filter/fine-tune/eval rounds, retraining."""
    from training.config import TrainConfig, load_train_config
    from training.expert_iteration import train

    if check:
        from training.check_config import report_check

        raise typer.Exit(report_check(config, ray_address))
    if resume is not None:
        saved = resume / "config.json"
        if not saved.is_file():
            raise _fail(f"{resume}: not a run directory (no config.json)")
        cfg = TrainConfig.model_validate(json.loads(saved.read_text()))
    elif config is not None:
        cfg = load_train_config(config)
        require_runnable(cfg, str(config), ray_address)
    else:
        raise _fail("give a CONFIG.toml, or --resume RUN_DIR")
    _quiet_hf()
    history = train(cfg, resume=resume is not None, ray_address=ray_address)
    for h in history:
        typer.echo(f"round {h.round} ({h.kind}): pass rate {100 * h.pass_rate:.1f}%{_rset(h)}")
    typer.echo(f"run: {cfg.run_dir} (summary.md, pass_rate.png, tb/); best: models/best")


def eval_cmd(
    model: Annotated[Path, typer.Option("--model", help="Checkpoint directory.")],
    problems: Annotated[
        str, typer.Option("--problems", help="JSONL file, `minif2f`, `proofnet`, or Lean dir.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Directory for results and report.")],
    split: Annotated[
        str | None, typer.Option("--split", help="Split to evaluate; `all` for every record.")
    ] = "test",
    attempts: Annotated[int, typer.Option("--attempts", min=1, help="K in pass@K.")] = 1,
    budget: Annotated[
        str, typer.Option("--budget", help="W×N: tactics per expansion × expansions.")
    ] = "4×64",
    temperature: Annotated[float, typer.Option("--temperature", min=0.01)] = 1.3,
    seed: Annotated[int, typer.Option("--seed", help="Seeds the searches.")] = 0,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="First N problems.")] = None,
    verify: Annotated[
        bool | None,
        typer.Option(
            "--verify/--no-verify",
            help="Re-check every proof with the sound verifier (default: on unless the REPL is "
            "the propositional stand-in).",
        ),
    ] = None,
    standin: Annotated[
        bool, typer.Option("--standin", help="Use the propositional stand-in REPL.")
    ] = False,
    config: Annotated[
        Path | None, typer.Option("--config", help="leanstep.toml for the Lean settings.")
    ] = None,
    device: Annotated[
        str | None, typer.Option("--device", help="auto, cpu or cuda[:N] (default: policy.device).")
    ] = None,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1)] = 64,
    ray_address: RayOpt = None,
    planner: Annotated[
        str | None,
        typer.Option("--planner", help="Planner chat endpoint: plan, then prove the steps."),
    ] = None,
    planner_model: Annotated[
        str, typer.Option("--planner-model", help="The planner's model name.")
    ] = "planner",
) -> None:
    """pass@K of a checkpoint with budget K × W × N; per-problem JSONL and a report."""
    from prover_core.config import SearchConfig
    from training.config import SearchStage, is_standin
    from training.evaluate import evaluate, write_report
    from training.problems import load_problems
    from training.session import open_prover

    require_checkpoint(model, "--model")
    require_problem_set(problems, None if split == "all" else split, "--problems")
    width, expansions = parse_budget(budget)
    stage = SearchStage(
        attempts=attempts,
        temperature=temperature,
        concurrency=concurrency,
        search=SearchConfig(width=width, expansions=expansions, wall_time_s=3600.0),
    )
    chosen = load_problems(problems, None if split == "all" else split, limit)
    if not chosen:
        raise _fail(f"no problems in {problems} (split {split})")
    project = _project_config(config, standin, Path.cwd())
    lean = project.lean
    policy = _eval_policy(project.policy, device)
    check = verify if verify is not None else not is_standin(lean)
    _quiet_hf()
    t0 = time.perf_counter()

    async def go() -> list[ProblemResult]:
        if planner is not None:
            return await _evaluate_planned(
                model, policy, stage, lean, planner, planner_model, chosen, seed, out, check,
                ray_address,
            )  # fmt: skip
        async with open_prover(model, policy, stage, lean, ray_address=ray_address) as p:
            return await evaluate(p, chosen, stage, seed, out, lean if check else None)

    rows = asyncio.run(go())
    summary = write_report(
        rows, stage, out, f"{model.name} on {problems}",
        verified=check, wall_s=time.perf_counter() - t0,
    )  # fmt: skip
    typer.echo(
        f"pass@{attempts} = {summary.proved}/{summary.problems} "
        f"({100 * summary.pass_rate:.1f}%), budget {stage.notation}"
        f"{', verified' if check else ', not verified'}; report: {out / 'report.md'}"
    )


def _eval_policy(project: PolicyConfig, device: str | None) -> PolicyConfig:
    """The project's serving settings for a local checkpoint (`--model`)."""
    if project.backend == "openai":
        raise _fail("eval serves a local checkpoint: policy.backend must be hf or vllm")
    update: dict[str, Any] = {"model": None}
    if device is not None:
        update["device"] = device
    return project.model_copy(update=update)


async def _evaluate_planned(
    model: Path,
    policy_config: PolicyConfig,
    budget: SearchStage,
    lean: LeanConfig,
    endpoint: str,
    planner_model: str,
    problems: Sequence[Problem],
    seed: int,
    out: Path,
    verify: bool,
    ray_address: str | None = None,
) -> list[ProblemResult]:
    from prover_core.config import Config, PlannerConfig
    from prover_core.lean.pool import ReplPool
    from prover_core.policy.factory import batched
    from prover_core.search.planner import PlannerClient
    from training.evaluate import evaluate
    from training.planned import PlannerChunkProver
    from training.serving import load_policy

    config = Config(
        lean=lean,
        policy=policy_config,
        search=budget.search,
        planner=PlannerConfig(
            endpoint=endpoint, model=planner_model, subgoal_expansions=budget.search.expansions
        ),
    )
    policy = batched(load_policy(model, policy_config), policy_config)
    client = PlannerClient(config.planner)
    pool = ReplPool(lean)
    remote = None
    if ray_address is not None:  # the prover agents run on Ray, each with its own policy
        from prover_core.search.ray_agents import RayAgents

        remote = RayAgents(
            config, functools.partial(load_policy, model, policy_config), ray_address
        )
    try:
        prover = PlannerChunkProver(policy, pool, client, config, remote=remote)
        return await evaluate(prover, problems, budget, seed, out, lean if verify else None)
    finally:
        await pool.close()
        await client.aclose()
        await policy.aclose()
        if remote is not None:
            await remote.aclose()


def demo_cmd(
    quick: Annotated[bool, typer.Option("--quick", help="Small run (minutes on 2 cores).")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Corpus, model and run seed.")] = 0,
    workdir: Annotated[
        Path, typer.Option("--workdir", help="Where to put the run and the playground.")
    ] = Path("leanstep-demo"),
) -> None:
    """SFT, expert iteration and one retraining on the propositional stand-in (CPU, offline),
    then a playground in WORKDIR to use the trained model from the CLI or VS Code."""
    import torch

    from training.demo import DEFAULT, QUICK, example_proof, prepare
    from training.expert_iteration import train
    from training.playground import write_playground

    _quiet_hf()
    torch.set_num_threads(min(torch.get_num_threads(), 2) if quick else torch.get_num_threads())
    wd = workdir.absolute()
    t0 = time.perf_counter()
    typer.echo(f"demo in {wd} ({'quick' if quick else 'default'}, seed {seed})")
    cfg = prepare(wd, seed, QUICK if quick else DEFAULT)
    history = train(cfg, resume=(cfg.run_dir / "config.json").exists())
    typer.echo("\nheld-out pass rate per round:")
    for h in history:
        typer.echo(
            f"  round {h.round} {h.kind:<8} {100 * h.pass_rate:5.1f}% "
            f"({h.proved_eval}/{h.eval_problems})  pool proved {h.pool_proved}, "
            f"kept {h.kept} tactics{_rset(h)}"
        )
    typer.echo("\n" + example_proof(cfg, history))
    typer.echo(f"\nplots: {cfg.run_dir / 'pass_rate.png'}, {cfg.run_dir}/rounds/*/*-ppl.png")
    typer.echo(f"summary: {cfg.run_dir / 'summary.md'}; took {time.perf_counter() - t0:.0f} s\n")
    typer.echo(write_playground(wd, cfg, history).next_steps())


def extract_cmd(
    source: Annotated[
        Path,
        typer.Argument(
            help="A Lean project directory, a corpus JSONL with reference proofs, or a "
            "LeanDojo traced-theorems JSON file."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Records JSONL to write.")],
    split: Annotated[
        str | None, typer.Option("--split", help="Corpus split to replay (default: all).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="leanstep.toml for the Lean settings.")
    ] = None,
    standin: Annotated[
        bool, typer.Option("--standin", help="Use the propositional stand-in REPL.")
    ] = False,
) -> None:
    """(state, tactic) training records from a Lean project, a corpus or LeanDojo files."""
    from training import extract
    from training.problems import load_problems
    from training.records import dedup, write_records

    if source.is_dir():
        lean = _lean_config(config, standin, source)
        files, n = asyncio.run(extract.extract_project(source.resolve(), lean, out))
        typer.echo(f"wrote {n} records from {files} Lean files to {out}")
    elif source.suffix == ".jsonl":
        lean = _lean_config(config, standin, source.parent)
        problems = load_problems(source, split)
        records = asyncio.run(extract.corpus_records(problems, lean))
        n = write_records(out, dedup(records))
        typer.echo(f"wrote {n} records from {len(problems)} reference proofs to {out}")
    elif source.suffix == ".json":
        n = write_records(out, extract.read_dojo(source))
        typer.echo(f"wrote {n} records from LeanDojo file {source} to {out}")
    else:
        typer.echo(f"leanstep: {source}: not a directory, .jsonl or .json", err=True)
        sys.exit(2)


def register(app: typer.Typer) -> None:
    app.command("train")(train_cmd)
    app.command("eval")(eval_cmd)
    app.command("demo")(demo_cmd)
    app.command("extract")(extract_cmd)

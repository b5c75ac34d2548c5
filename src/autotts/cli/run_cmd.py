"""``autotts run``: a controller answers questions live, on a served or in-process model."""

from __future__ import annotations

import asyncio
import json
import time

import click

from autotts.cli.live_options import (
    backend_kwargs,
    backend_options,
    decode_config,
    decode_options,
    live_errors,
)
from autotts.keyvalue import parse_pairs


def _format_event(event: list) -> str:
    kind, *rest = event
    if kind == "note":
        return f"  note   {rest[0]}"
    if kind in ("open", "step"):
        i, answer, finished = rest
        return f"  {kind:<6} branch {i:<3} -> {answer!s:<12}{' (finished)' if finished else ''}"
    return f"  {kind:<6} branch {rest[0]:<3}" + (f" -> {rest[1]}" if len(rest) > 1 else "")


@click.command("run")
@click.option("--controller", "controller_id", help="Registered controller id "
              "(see `autotts controllers`).")
@click.option("--controller-file", help="PATH.py[:ClassName]: a controller class in a file.")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Controller parameter (repeatable), e.g. --set beta=0.5.")
@click.option("--question", "question_texts", multiple=True, metavar="TEXT",
              help="A question to answer (repeatable).")
@click.option("--questions", "questions_path", type=click.Path(dir_okay=False),
              help="JSONL file of questions (answers, when present, are graded).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N questions of the file.")
@click.option("--max-branches", type=click.IntRange(min=1), default=64, show_default=True,
              help="Most branches the controller may open per question.")
@click.option("--concurrency", type=click.IntRange(min=1), default=64, show_default=True,
              help="Branches decoded at once by batch actions.")
@click.option("--lazy-probe", is_flag=True, help="Steps reveal nothing; only PROBE asks the "
              "model (default: every step probes, as replay does at kappa_probe=0).")
@backend_options
@decode_options
@click.option("--trace", is_flag=True, help="Print every action the controller took.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per question.")
@live_errors
def run_command(controller_id, controller_file, settings, question_texts, questions_path, limit,
                max_branches, concurrency, lazy_probe, trace, as_json, **kw):
    """Answer questions live with a controller; prints answer, tokens and wall time.

    Example: autotts run --controller cmc --set beta=0.5 --question "What is 2+3?"
    --endpoint http://127.0.0.1:8000/v1 --tokenizer Qwen/Qwen3-1.7B
    """
    from autotts.controllers.spec import ControllerSpec
    from autotts.live.connect import open_backend
    from autotts.live.episode import LiveEpisode
    from autotts.live.questions import QuestionItem, load_jsonl

    if (controller_id is None) == (controller_file is None):
        raise click.UsageError("give exactly one of --controller or --controller-file")
    if bool(question_texts) == bool(questions_path):
        raise click.UsageError("give --question TEXT (repeatable) or --questions FILE")
    try:
        controller = ControllerSpec(id=controller_id, file=controller_file,
                                    params=parse_pairs(settings)).build()
    except (KeyError, TypeError, ValueError, AttributeError, FileNotFoundError) as exc:
        raise click.UsageError(str(exc).strip('"')) from None
    items = (load_jsonl(questions_path)[:limit] if questions_path else
             [QuestionItem(str(n), q, "") for n, q in enumerate(question_texts)])
    cfg = decode_config(kw)
    backend = open_backend(**backend_kwargs(kw))
    with asyncio.Runner() as runner:
        try:
            for item in items:
                ep = LiveEpisode(backend, item.question, cfg, max_branches=max_branches,
                                 concurrency=concurrency, probe_on_step=not lazy_probe,
                                 key=item.id, runner=runner)
                t0 = time.perf_counter()
                answer = controller.solve(ep)
                _report(item, answer, ep, time.perf_counter() - t0, trace, as_json)
        finally:
            runner.run(backend.aclose())


def _report(item, answer, ep, seconds: float, trace: bool, as_json: bool) -> None:
    from autotts.live.answers import Grader, normalize_answer

    row = {"id": item.id, "question": item.question, "answer": answer, "tokens": ep.cost,
           "probe_tokens": ep.probe_tokens, "branches": ep.n_opened, "seconds": round(seconds, 3)}
    if item.answer:
        gold = normalize_answer(item.answer)
        grader = Grader()
        row.update(gold=gold, correct=answer is not None and grader.equivalent(gold, answer))
        grader.close()
    if trace:
        row["events"] = ep.events
    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False))
        return
    click.echo(f"question {item.id}: {item.question}")
    click.echo(f"  answer: {answer}" + (f"   gold: {row['gold']}   correct: {row['correct']}"
                                        if "gold" in row else ""))
    click.echo(f"  tokens: {ep.cost} (+{ep.probe_tokens} probe)   branches: {ep.n_opened}   "
               f"wall: {seconds:.2f}s")
    if trace:
        for event in ep.events:
            click.echo(_format_event(event))

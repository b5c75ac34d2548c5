"""``autotts collect``: build a replay store from a served or in-process model."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from autotts.cli.live_options import (
    backend_kwargs,
    backend_options,
    decode_config,
    decode_options,
    live_errors,
)


@click.command("collect")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--questions", "questions_path", type=click.Path(dir_okay=False),
              help="JSONL file: one {\"question\", \"answer\", optional \"id\"} per line.")
@click.option("--hf-dataset", metavar="NAME", help="A Hugging Face dataset instead of a file "
              "(needs the 'datasets' package).")
@click.option("--split", default="test", show_default=True, help="Dataset split (--hf-dataset).")
@click.option("--dataset-config", default=None, help="Dataset configuration name (--hf-dataset).")
@click.option("--question-field", default="problem", show_default=True,
              help="Dataset column holding the question (--hf-dataset).")
@click.option("--answer-field", default="answer", show_default=True,
              help="Dataset column holding the gold answer (--hf-dataset).")
@click.option("--id-field", default=None, help="Dataset column holding a unique id "
              "(--hf-dataset; default: the row number).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N questions.")
@click.option("-n", "--branches", type=click.IntRange(min=1), default=128, show_default=True,
              help="Branches (independent samples) per question.")
@click.option("--concurrency", type=click.IntRange(min=1), default=64, show_default=True,
              help="Branches decoded at once (each sends one request at a time).")
@backend_options
@decode_options
@click.option("--log-token-ids/--no-log-token-ids", default=False, show_default=True,
              help="Keep every branch's generated token ids in the raw log.")
@click.option("--log-text/--no-log-text", default=True, show_default=True,
              help="Keep every branch's generated text in the raw log.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when stderr is a terminal).")
@live_errors
def collect_command(out, questions_path, hf_dataset, split, dataset_config, question_field,
                    answer_field, id_field, limit, branches, concurrency, log_token_ids, log_text,
                    progress, **kw):
    """Decode N branches per question in Δ-token intervals, probe after each
    interval, and write OUT (.json or .json.gz, the replay store format) plus
    OUT's .manifest.json and .raw.jsonl (one row per question x branch).

    Rerunning the same command resumes: finished rows are kept and skipped.

    Example: autotts collect runs/qwen3-1.7b/aime25.json.gz --questions aime25.jsonl
    --endpoint http://127.0.0.1:8000/v1 --tokenizer Qwen/Qwen3-1.7B -n 128 --delta 500
    """
    from autotts.live.collect import CollectPlan, run_collect
    from autotts.live.connect import open_backend
    from autotts.live.questions import load_hf_dataset, load_jsonl

    if bool(questions_path) == bool(hf_dataset):
        raise click.UsageError("give exactly one of --questions FILE or --hf-dataset NAME")
    cfg = decode_config(kw)
    if questions_path:
        questions, source = load_jsonl(questions_path), str(questions_path)
    else:
        questions = load_hf_dataset(hf_dataset, split=split, config=dataset_config,
                                    question_field=question_field, answer_field=answer_field,
                                    id_field=id_field)
        source = f"hf:{hf_dataset}:{dataset_config or ''}:{split}"
    questions = questions[:limit] if limit else questions
    backend = open_backend(**backend_kwargs(kw))
    plan = CollectPlan(Path(out), branches, cfg, concurrency=concurrency, log_text=log_text,
                       log_token_ids=log_token_ids)
    show = sys.stderr.isatty() if progress is None else progress
    summary = run_collect(backend, questions, plan, source=source, progress=show)
    click.echo(json.dumps(summary, indent=2))

"""Train a pipeline from a config, logging to the console or, with --wandb, to Weights & Biases.

With --wandb the [training.logger] section is switched to a chain of the console logger and
spacy.WandbLogger.v5 (overriding the logger from the command line does not work in spaCy).
Without WANDB_API_KEY, W&B runs in offline mode, so no account is needed.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import typer
from spacy.cli._util import parse_config_overrides
from spacy.cli.train import train
from thinc.api import Config

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(help=__doc__, context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def main(
    ctx: typer.Context,
    config_path: Path = typer.Argument(..., help="Training config, e.g. configs/md.cfg."),
    output_dir: Path = typer.Argument(..., help="Where model-best and model-last are written."),
    gpu_id: int = typer.Option(-1, "--gpu-id", help="GPU to train on; -1 means CPU."),
    wandb: str = typer.Option("false", "--wandb", help="true: log to Weights & Biases as well as to the console."),
    wandb_project: str = typer.Option("fr-minister-meetings", help="W&B project name."),
) -> None:
    """Extra arguments are config overrides, as for `spacy train`: --paths.train corpus/train.spacy"""
    config_overrides = parse_config_overrides(ctx.args)
    if wandb.strip().lower() in ("true", "1", "yes"):
        if not os.environ.get("WANDB_API_KEY") and os.environ.get("WANDB_MODE") not in ("offline", "disabled"):
            os.environ["WANDB_MODE"] = "offline"
            typer.echo("No WANDB_API_KEY: W&B logs offline to ./wandb (sync later with `wandb sync`).")
        config = Config().from_disk(config_path, interpolate=False)
        config["training"]["logger"] = {
            "@loggers": "spacy.ChainLogger.v1",
            "logger1": {"@loggers": "spacy.ConsoleLogger.v1", "progress_bar": False},
            "logger2": {
                "@loggers": "spacy.WandbLogger.v5",
                "project_name": wandb_project,
                "remove_config_values": ["paths.train", "paths.dev"],
                "log_dataset_dir": None,
                "entity": None,
                "run_name": None,
                "model_log_interval": None,
            },
        }
        switched = output_dir.parent / f".{config_path.stem}.wandb.cfg"
        switched.parent.mkdir(parents=True, exist_ok=True)
        config.to_disk(switched)
        config_path = switched
    start = time.perf_counter()
    train(config_path, output_dir, use_gpu=gpu_id, overrides=config_overrides)
    seconds = round(time.perf_counter() - start, 1)
    (output_dir / "train_seconds.json").write_text(json.dumps({"config": str(config_path), "seconds": seconds}) + "\n", encoding="utf8")
    typer.echo(f"trained in {seconds:.0f} s")


if __name__ == "__main__":
    app()

"""Check that the transformer named for training can be loaded before training starts.

Tries the name as a local directory first, then as a Hugging Face model name (cache or hub). On
failure it stops at once with what was tried and how to pass a local directory, instead of a
long traceback in the middle of `spacy train`.
"""
from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(help=__doc__)
def main(
    name: str = typer.Argument(..., help="Hugging Face model name or local directory."),
    output: Path = typer.Option(..., help="JSON file recording the model that was found."),
) -> None:
    from transformers import AutoConfig, AutoTokenizer

    local = Path(name).expanduser()
    tried = []
    if local.exists():
        tried.append(f"local directory {local.resolve()}")
        source = str(local.resolve())
    else:
        tried.append(f"'{name}' as a Hugging Face model name (local cache, then the hub)")
        source = name
    try:
        config = AutoConfig.from_pretrained(source)
        tokenizer = AutoTokenizer.from_pretrained(source)
    except Exception as error:  # transformers raises OSError, ValueError or HTTP errors here
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        typer.echo(
            f"Cannot load the transformer '{name}'.\nTried: {'; '.join(tried)}.\nReason: {reason}\n"
            "Without network access, download the model elsewhere (config.json, tokenizer files, weights), copy the "
            "folder here and pass it: spacy project run all-trf . --vars.transformer=/path/to/model",
            err=True,
        )
        raise typer.Exit(code=1)
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {"name": name, "source": source, "model_type": config.model_type, "hidden_size": getattr(config, "hidden_size", None),
              "layers": getattr(config, "num_hidden_layers", None), "vocabulary": len(tokenizer)}
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf8")
    typer.echo(f"transformer '{name}': {config.model_type}, hidden size {report['hidden_size']}, {report['layers']} layers")


if __name__ == "__main__":
    app()

"""Convert a validated doccano JSONL file into a spaCy DocBin with entities and relations.

Entities go to doc.ents; relations to doc._.relation_triples, which the DocBin keeps through
user_data (store_user_data=True), together with the record id and its doc_relations.
"""
from __future__ import annotations

from pathlib import Path

import spacy
import typer
from spacy.tokens import DocBin

from meetings_tooling.corpus import records_to_docs
from meetings_tooling.validation import read_records

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(help=__doc__)
def main(
    input_path: Path = typer.Argument(..., help="A JSONL file of corpus/annotations/."),
    output_path: Path = typer.Argument(..., help="The .spacy file to write."),
    lang: str = typer.Option("fr", help="Language whose tokenizer splits the texts; must match the pipeline's."),
) -> None:
    nlp = spacy.blank(lang)
    doc_bin = DocBin(store_user_data=True)
    for doc in records_to_docs(nlp, read_records(input_path)):
        doc_bin.add(doc)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    doc_bin.to_disk(output_path)
    typer.echo(f"{output_path}: {len(doc_bin)} documents")


if __name__ == "__main__":
    app()

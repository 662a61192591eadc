"""Build a tiny CamemBERT-architecture model from nothing, for tests without a model hub.

A sentencepiece unigram tokenizer is trained on the corpus texts and a randomly initialised
CamembertForMaskedLM of a few hundred thousand parameters is saved beside it with
save_pretrained, so `spacy-transformers` can load the folder as a model name. The sentencepiece
.model file is shipped with the tokenizer because spacy-transformers 1.4.0 cannot reload a fast
tokenizer that has no vocabulary file.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import List

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(help=__doc__)
def main(
    output_dir: Path = typer.Argument(..., help="Folder to write the model and tokenizer to."),
    corpus: List[Path] = typer.Option([Path("corpus/annotations/train.jsonl")], "--corpus", help="JSONL files whose texts train the tokenizer."),
    vocab_size: int = typer.Option(2000, help="Sentencepiece vocabulary size."),
    hidden_size: int = typer.Option(64, help="Hidden size of the encoder."),
    layers: int = typer.Option(2, help="Number of encoder layers."),
    seed: int = typer.Option(0, help="Seed of the random weights."),
) -> None:
    import sentencepiece
    import torch
    from transformers import CamembertConfig, CamembertForMaskedLM, CamembertTokenizerFast

    texts = []
    for path in corpus:
        for line in path.read_text(encoding="utf8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sentences = Path(tmp) / "sentences.txt"
        sentences.write_text("\n".join(" ".join(text.split()) for text in texts), encoding="utf8")
        prefix = Path(tmp) / "sentencepiece"
        sentencepiece.SentencePieceTrainer.train(
            input=str(sentences), model_prefix=str(prefix), vocab_size=vocab_size, model_type="unigram",
            character_coverage=1.0, bos_id=0, pad_id=1, eos_id=2, unk_id=3, user_defined_symbols=["<mask>"],
            minloglevel=2,
        )
        tokenizer = CamembertTokenizerFast(vocab_file=str(prefix) + ".model")
        tokenizer.save_pretrained(output_dir)
    torch.manual_seed(seed)
    config = CamembertConfig(
        vocab_size=len(tokenizer), hidden_size=hidden_size, num_hidden_layers=layers, num_attention_heads=2,
        intermediate_size=2 * hidden_size, max_position_embeddings=514, pad_token_id=1, bos_token_id=0,
        eos_token_id=2, type_vocab_size=1,
    )
    model = CamembertForMaskedLM(config)
    model.save_pretrained(output_dir)
    n_parameters = sum(parameter.numel() for parameter in model.parameters())
    typer.echo(f"{output_dir}: CamemBERT architecture, {n_parameters:,} parameters, vocabulary {len(tokenizer)}")


if __name__ == "__main__":
    app()

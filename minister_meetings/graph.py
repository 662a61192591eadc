"""Graph and page: who met whom, as GraphML for Gephi and as one self-contained HTML page.

The GraphML graph has one node per person and one edge per pair of people who met, weighted by
the number of events, with the events' ids and dates (networkx writes it; Gephi, Cytoscape and
networkx read it). The page holds its data, script and style inline (no CDN, no network: it
opens from a file, on a laptop or in an archive): a timeline of events and a network of people,
both filtered by person and by year, each event with its sentences and sources as evidence. Once
its script has run without error it marks `<body data-ready="1">`, which the test reads back.
"""
from __future__ import annotations

import html
import json
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Dict, List, Sequence

from .optional import require
from .store import atomic_path


def people_graph(events: Sequence[dict], people: Sequence[dict]):
    """A networkx Graph: people as nodes, an edge for each pair that met, weighted by events."""
    nx = require("networkx")
    graph = nx.Graph()
    for person in people:
        graph.add_node(person["person"], name=person["name"], label=person["label"], roles="; ".join(person["roles"]), events=person["events"])
    pairs: Dict[tuple, List[dict]] = defaultdict(list)
    for event in events:
        for a, b in combinations(sorted(p["key"] for p in event["participants"]), 2):
            pairs[(a, b)].append(event)
    for (a, b), shared in sorted(pairs.items()):
        dates = sorted(event["date_start"] for event in shared if event["date_start"])
        graph.add_edge(a, b, weight=len(shared), events="; ".join(event["event_id"] for event in shared),
                       first=dates[0] if dates else "", last=dates[-1] if dates else "",
                       summits="; ".join(sorted({event["summit"] for event in shared if event["summit"]})))
    return graph


def write_graphml(events: Sequence[dict], people: Sequence[dict], path: Path) -> Path:
    nx = require("networkx")
    with atomic_path(path) as temporary:
        nx.write_graphml(people_graph(events, people), str(temporary))
    return Path(path)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#222}header{padding:1em 2em;background:#1d3557;color:#fff}
header h1{margin:0 0 .4em;font-size:1.4em}label{margin-right:1.5em}select{font-size:1em}
main{display:flex;gap:1.5em;padding:1em 2em}#left{flex:3;min-width:0}#right{flex:2;min-width:0}
svg{background:#f8f9fa;border:1px solid #ddd;width:100%}.event{border-left:4px solid #457b9d;margin:.8em 0;padding:.3em .8em;background:#fff}
.event h3{margin:.2em 0;font-size:1em}.meta{color:#555;font-size:.9em}blockquote{margin:.3em 0 .3em 1em;font-size:.9em;color:#333}
.source{color:#888;font-size:.8em}.node{cursor:pointer}.node text{font-size:11px}#status{font-size:.9em;opacity:.8}
#errors{color:#b00}
"""

_SCRIPT = r"""
(function () {
  const data = JSON.parse(document.getElementById('data').textContent);
  const personSelect = document.getElementById('person'), yearSelect = document.getElementById('year');
  const svgNS = 'http://www.w3.org/2000/svg';
  const names = {};
  data.people.forEach(p => { names[p.person] = p.name; });
  data.people.slice().sort((a, b) => a.name.localeCompare(b.name)).forEach(p => {
    personSelect.add(new Option(p.name + ' (' + p.events + ')', p.person));
  });
  const years = [...new Set(data.events.filter(e => e.date_start).map(e => e.date_start.slice(0, 4)))].sort();
  years.forEach(y => yearSelect.add(new Option(y, y)));

  function el(tag, attrs, text) {
    const node = document.createElementNS(svgNS, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function filtered() {
    const person = personSelect.value, year = yearSelect.value;
    return data.events.filter(e => (!person || e.participants.some(p => p.key === person)) &&
                                   (!year || (e.date_start || '').slice(0, 4) === year));
  }
  function timeline(events) {
    const svg = document.getElementById('timeline');
    svg.replaceChildren();
    const dated = events.filter(e => e.date_start);
    if (!dated.length) { svg.appendChild(el('text', {x: 10, y: 30}, 'no dated event')); return; }
    const times = dated.map(e => Date.parse(e.date_start));
    const min = Math.min(...times), max = Math.max(...times), span = Math.max(max - min, 86400000);
    const width = 800, left = 40, right = 40, lanes = {};
    svg.appendChild(el('line', {x1: left, x2: width - right, y1: 90, y2: 90, stroke: '#999'}));
    svg.appendChild(el('text', {x: left, y: 110, 'font-size': 11}, dated.map(e => e.date_start).sort()[0]));
    svg.appendChild(el('text', {x: width - right, y: 110, 'font-size': 11, 'text-anchor': 'end'}, dated.map(e => e.date_start).sort().slice(-1)[0]));
    dated.forEach(e => {
      const x = left + (Date.parse(e.date_start) - min) / span * (width - left - right);
      const lane = lanes[Math.round(x / 8)] = (lanes[Math.round(x / 8)] || 0) + 1;
      const dot = el('circle', {cx: x, cy: 90 - lane * 14, r: 4 + Math.min(e.n_documents, 6), fill: '#e63946', 'fill-opacity': 0.4 + 0.6 * e.confidence});
      dot.appendChild(el('title', {}, e.date_start + ': ' + e.participants.map(p => p.name).join(' & ')));
      dot.addEventListener('click', () => document.getElementById('event-' + e.event_id).scrollIntoView());
      svg.appendChild(dot);
    });
  }
  function network(events) {
    const svg = document.getElementById('network');
    svg.replaceChildren();
    const width = 600, height = 460, weights = {}, degree = {};
    events.forEach(e => {
      const keys = e.participants.map(p => p.key).sort();
      keys.forEach(k => { degree[k] = (degree[k] || 0) + 1; });
      for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) {
        const id = keys[i] + '|' + keys[j]; weights[id] = (weights[id] || 0) + 1;
      }
    });
    const keys = Object.keys(degree).sort();
    const pos = {};
    keys.forEach((k, i) => { const a = 2 * Math.PI * i / keys.length; pos[k] = {x: width / 2 + 180 * Math.cos(a), y: height / 2 + 180 * Math.sin(a)}; });
    const edges = Object.entries(weights).map(([id, w]) => [...id.split('|'), w]);
    for (let step = 0; step < 200; step++) {  // a small force layout, deterministic from the circle
      const force = {};
      keys.forEach(k => { force[k] = {x: 0, y: 0}; });
      for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) {
        const a = pos[keys[i]], b = pos[keys[j]], dx = a.x - b.x, dy = a.y - b.y, d2 = Math.max(dx * dx + dy * dy, 25);
        const f = 20000 / d2;
        force[keys[i]].x += f * dx / Math.sqrt(d2); force[keys[i]].y += f * dy / Math.sqrt(d2);
        force[keys[j]].x -= f * dx / Math.sqrt(d2); force[keys[j]].y -= f * dy / Math.sqrt(d2);
      }
      edges.forEach(([a, b]) => {
        const dx = pos[b].x - pos[a].x, dy = pos[b].y - pos[a].y;
        force[a].x += 0.01 * dx; force[a].y += 0.01 * dy; force[b].x -= 0.01 * dx; force[b].y -= 0.01 * dy;
      });
      keys.forEach(k => {
        pos[k].x = Math.min(width - 30, Math.max(30, pos[k].x + Math.max(-10, Math.min(10, force[k].x + 0.01 * (width / 2 - pos[k].x)))));
        pos[k].y = Math.min(height - 20, Math.max(20, pos[k].y + Math.max(-10, Math.min(10, force[k].y + 0.01 * (height / 2 - pos[k].y)))));
      });
    }
    edges.forEach(([a, b, w]) => svg.appendChild(el('line', {x1: pos[a].x, y1: pos[a].y, x2: pos[b].x, y2: pos[b].y, stroke: '#457b9d', 'stroke-width': Math.min(1 + w, 8), 'stroke-opacity': 0.6})));
    keys.forEach(k => {
      const g = el('g', {class: 'node', transform: 'translate(' + pos[k].x + ',' + pos[k].y + ')'});
      g.appendChild(el('circle', {r: 4 + Math.min(degree[k], 8), fill: k === personSelect.value ? '#e63946' : '#1d3557'}));
      g.appendChild(el('text', {x: 8, y: 4}, names[k] || k));
      g.addEventListener('click', () => { personSelect.value = personSelect.value === k ? '' : k; render(); });
      svg.appendChild(g);
    });
  }
  function list(events) {
    const box = document.getElementById('events');
    box.replaceChildren();
    events.forEach(e => {
      const card = document.createElement('div');
      card.className = 'event'; card.id = 'event-' + e.event_id;
      const title = document.createElement('h3');
      title.textContent = (e.date_start ? e.date_start + (e.date_end && e.date_end !== e.date_start ? ' – ' + e.date_end : '') : 'date unknown') +
        ' · ' + e.participants.map(p => p.name + (p.roles.length ? ' (' + p.roles.join(', ') + ')' : '')).join(' & ');
      const meta = document.createElement('div');
      meta.className = 'meta';
      meta.textContent = [e.place && 'place: ' + e.place, e.summit && 'summit: ' + e.summit, e.n_documents + ' document(s)',
                          'confidence ' + e.confidence.toFixed(2), e.date_mentions.length && 'written: ' + e.date_mentions.join(', ')].filter(Boolean).join(' · ');
      card.append(title, meta);
      e.sentences.forEach(s => { const q = document.createElement('blockquote'); q.textContent = s; card.appendChild(q); });
      const sources = document.createElement('div');
      sources.className = 'source'; sources.textContent = 'sources: ' + e.documents.join(', ');
      card.appendChild(sources);
      box.appendChild(card);
    });
  }
  function render() {
    const events = filtered();
    timeline(events); network(events); list(events);
    document.getElementById('status').textContent = events.length + ' of ' + data.events.length + ' events shown';
  }
  personSelect.addEventListener('change', render);
  yearSelect.addEventListener('change', render);
  render();
  document.body.setAttribute('data-ready', '1');
})();
"""


def render_page(events: Sequence[dict], people: Sequence[dict], title: str = "Ministerial meetings") -> str:
    """The self-contained page: data as inline JSON, the script and style inline."""
    # "<" escaped so that no sentence can close the <script> element holding the data
    payload = json.dumps({"events": list(events), "people": list(people)}, ensure_ascii=False).replace("<", "\\u003c")
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<script>window.addEventListener('error', function (e) { var box = document.getElementById('errors');"
        " if (box) box.textContent += 'JavaScript error: ' + e.message + '\\n'; document.body.setAttribute('data-error', '1'); });</script>"
        f"<header><h1>{html.escape(title)}</h1><label>Person <select id='person'><option value=''>all</option></select></label>"
        "<label>Year <select id='year'><option value=''>all</option></select></label><span id='status'></span></header>"
        "<pre id='errors'></pre><main><div id='left'><h2>Timeline</h2><svg id='timeline' viewBox='0 0 800 120'></svg>"
        "<h2>Events and their evidence</h2><div id='events'></div></div>"
        "<div id='right'><h2>Who met whom</h2><svg id='network' viewBox='0 0 600 460'></svg></div></main>"
        f"<script type='application/json' id='data'>{payload}</script><script>{_SCRIPT}</script></body></html>"
    )


def write_page(events: Sequence[dict], people: Sequence[dict], path: Path) -> Path:
    with atomic_path(path) as temporary:
        temporary.write_text(render_page(events, people), encoding="utf8")
    return Path(path)

// The page around the data: markup and style. Everything is inline and the
// Content-Security-Policy allows nothing else, so the file works offline and
// the browser itself refuses any request it might otherwise make.

export const STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #6a7283; --bg: #fff; --panel: #f5f6f8; --line: #dde1e7; --accent: #c2410c; --bar: #e8773a; --err: #b91c1c; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8ec; --muted: #9aa2b1; --bg: #15181e; --panel: #1e222a; --line: #2e3440; --accent: #fb923c; --bar: #f0884a; --err: #f87171; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; }
h1 small { font-weight: normal; color: var(--muted); }
h2 { font-size: 16px; margin: 28px 0 8px; }
code, .num, .where { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.meta { color: var(--muted); margin: 0; }
.meta code { color: var(--fg); }
.note { color: var(--muted); margin: 4px 0; }
.warn { color: var(--err); }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
th { cursor: pointer; user-select: none; background: var(--panel); position: sticky; top: 0; }
th:hover { color: var(--accent); }
th[aria-sort="descending"]::after { content: " \\25BE"; }
th[aria-sort="ascending"]::after { content: " \\25B4"; }
tbody tr:hover { background: var(--panel); }
td a { color: inherit; text-decoration: none; font-weight: 600; }
td a:hover { color: var(--accent); }
.where { color: var(--muted); display: block; }
.errors { color: var(--err); }
.tag { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 3px; padding: 0 3px; margin-left: 4px; }
#flame-box { max-height: 60vh; overflow-y: auto; border: 1px solid var(--line); border-radius: 4px; background: var(--panel); }
#flame { position: relative; width: 100%; overflow: hidden; }
.frame.scaled, .scaled-key { background-image: repeating-linear-gradient(135deg, transparent 0 4px, rgba(0,0,0,.16) 4px 6px); }
.frame.rest { background: repeating-linear-gradient(90deg, var(--line) 0 2px, transparent 2px 4px); color: var(--muted); }
.scaled-key { padding: 0 4px; border-radius: 3px; background-color: #e8a070; color: #1d1d1d; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 0 0 8px; }
.controls input[type=search] { flex: 0 1 320px; padding: 4px 8px; font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 4px; }
.controls label { color: var(--muted); cursor: pointer; }
.pager { margin-left: auto; color: var(--muted); white-space: nowrap; }
.pager button { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 0 8px; cursor: pointer; }
.pager button:disabled { opacity: 0.4; cursor: default; }
.frame { position: absolute; height: 19px; padding: 1px 4px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font-size: 12px; line-height: 17px; color: #1d1d1d; border-right: 1px solid var(--panel); border-bottom: 1px solid var(--panel); cursor: pointer; }
.frame:hover, .frame:focus { filter: brightness(1.12); outline: 1px solid var(--fg); outline-offset: -1px; }
.frame.above { opacity: 0.55; }
.frame.root { background: #b9bec8; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px 4px; background: var(--panel); scroll-margin-top: 12px; }
.card:target { outline: 2px solid var(--accent); }
.card h3 { margin: 0; font-size: 13px; }
.card p { margin: 0; color: var(--muted); font-size: 12px; }
.card svg { display: block; width: 100%; height: auto; margin-top: 4px; }
.card svg text { fill: var(--muted); font: 10px ui-monospace, monospace; }
.card svg rect.bar { fill: var(--bar); }
.card svg rect.bar:hover { fill: var(--accent); }
.card svg line.axis { stroke: var(--line); }
.card svg line.mark { stroke: var(--fg); stroke-dasharray: 2 2; opacity: 0.6; }
#tooltip { position: fixed; z-index: 10; pointer-events: none; max-width: 420px; padding: 6px 8px; border-radius: 4px; font-size: 12px; background: var(--fg); color: var(--bg); box-shadow: 0 2px 8px rgba(0,0,0,.25); }
#tooltip b { display: block; }
#tooltip span { display: block; opacity: 0.85; }
`;

/** The document up to the opening of the data element; the JSON data follows, then pageEnd. */
export function pageStart(parts: { title: string; style: string; csp: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${parts.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${parts.title}</title>
<style>${parts.style}</style>
</head>
<body>
<header>
<h1>tanzhen report <small id="subtitle"></small></h1>
<p class="meta" id="meta"></p>
<div id="notes"></div>
</header>
<main>
<section>
<h2>Call tree</h2>
<p class="note">Width is time: each frame is a function, as wide as its total time, under the function that called it. Callees that together took longer than their caller (async work that went on after it returned, or concurrent calls) are scaled down to fit under it and drawn <span class="scaled-key">striped</span>. Click a frame to zoom in; click the root or a dimmed frame to zoom out; hover for the figures.</p>
<div id="flame-box"><div id="flame" role="tree"></div></div>
</section>
<section>
<h2>Functions</h2>
<div class="controls">
<input type="search" id="search" placeholder="Filter by name or file" aria-label="Filter functions by name or file">
<label id="uncalled-label"><input type="checkbox" id="uncalled"> <span id="uncalled-text"></span></label>
<span class="pager"><button type="button" id="prev" aria-label="Previous page">‹</button> <span id="range"></span> <button type="button" id="next" aria-label="Next page">›</button></span>
</div>
<table id="functions"><thead></thead><tbody></tbody></table>
</section>
<section>
<h2>Latency histograms</h2>
<p class="note">Calls by duration, log scale; dashed lines mark p50, p95 and p99. Shown for the functions at the top of the table; click a function's name for its own.</p>
<div id="histograms" class="grid"></div>
</section>
</main>
<div id="tooltip" hidden></div>
<script type="application/json" id="tanzhen-data">`;
}

/** The rest of the document after the data: `script` is the page's code. */
export function pageEnd(script: string): string {
  return `</script>
<script>${script}</script>
</body>
</html>
`;
}

// The pages' stylesheet (inlined: the files work offline and stand alone).
export const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;padding:12px 20px;max-width:1400px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:4px 0 8px}h2{font-size:16px;margin:18px 0 6px;border-bottom:1px solid #dde}h3{font-size:14px;margin:10px 0 4px}
table{border-collapse:collapse;margin:4px 0 10px}th,td{border:1px solid #d5d9e3;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f1f3f8;font-weight:600}caption{text-align:left;font-weight:600;padding:4px 0}
table.kv th{width:7em}#violation{border-left:4px solid #c62828}#violation td.where{font-weight:600;color:#b71c1c}
pre,code{font:12px/1.35 ui-monospace,monospace;background:#f6f7fa}pre{padding:6px 8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
code#token{word-break:break-all}
.scroll{overflow-x:auto;border:1px solid #e3e6ee}
#lanes .lane{fill:#fafbfd;stroke:#eceff5}#lanes .lane-name{font-weight:600;font-size:13px}#lanes .axis{font-size:10px;fill:#778}
#lanes .op rect{fill:#d8e4f6;stroke:#7d9cc9}#lanes .op text{font-size:10.5px;fill:#1b2a44}
.tick.read,.key.read{fill:#3b7dd8;background:#3b7dd8}.tick.write,.key.write{fill:#e8710a;background:#e8710a}.tick.rmw,.key.rmw{fill:#b8460b;background:#b8460b}
.tick.lock,.key.lock{fill:#8e44ad;background:#8e44ad}.tick.local,.key.local{fill:#aab;background:#aab}.key.preempt{background:#d32f2f}
.key{display:inline-block;color:#fff;padding:0 5px;border-radius:3px;font-size:12px}
#lanes .preempt line{stroke:#d32f2f;stroke-width:2}#lanes .preempt path{fill:#d32f2f}
#lanes .quiescence{stroke:#555;stroke-dasharray:4 3}#lanes #cursor{fill:rgba(255,193,7,.35);stroke:#f0a000}
#controls{margin:8px 0;display:flex;align-items:center;gap:6px}#controls[hidden]{display:none}#slider{flex:1}
#step-info{font:12px ui-monospace,monospace;background:#fffbe6;padding:4px 6px;min-height:1.4em;margin:4px 0}
table.heap td{font:12px ui-monospace,monospace}table.heap td.changed{background:#fff3b0;font-weight:700}
table.heap tr.added td{background:#e6f6e6}table.heap tr.removed td{background:#f4f4f4;color:#999;text-decoration:line-through}
table.heap tr.culprit td{outline:2px solid #c62828;outline-offset:-2px;background:#ffe5e5}
.machines{display:flex;flex-wrap:wrap;gap:12px}.tables{display:flex;flex-wrap:wrap;gap:0 18px;align-items:flex-start}
.machine .state ellipse{fill:#eef3fb;stroke:#5677a8;stroke-width:1.5}.machine .state text{text-anchor:middle;font-size:12px;font-weight:600}
.machine .edge .line{fill:none;stroke:#b5bccb;stroke-width:1.2}.machine .edge .head{fill:#b5bccb}
.machine .edge text{font-size:10.5px;text-anchor:middle;fill:#556;paint-order:stroke;stroke:#fff;stroke-width:3px}
.machine .edge.taken .line{stroke:#2e5ea8;stroke-width:2.6}.machine .edge.taken .head{fill:#2e5ea8}.machine .edge.taken text{fill:#1d3f75;font-weight:700}
.machine .edge.now .line{stroke:#e8710a;stroke-width:3.4}.machine .edge.now .head{fill:#e8710a}
.machine .edge.heat .line{stroke:currentColor;stroke-width:2.6}.machine .edge.heat .head{fill:currentColor}.machine .edge.heat text{fill:#222}
.machine .edge.missed .line{stroke:#c62828;stroke-dasharray:5 3;stroke-width:2}.machine .edge.missed .head{fill:#c62828}.machine .edge.missed text{fill:#c62828;font-weight:700}
.machine .initial{stroke:#333;fill:#333}.machine .machine-name{font-weight:600;font-size:13px}
#trace-table td{font:12px ui-monospace,monospace}#trace-table td.event{color:#6a4c93}#trace-table td.end{color:#2e7d32}
#trace-table tr.switch td{background:#f6f0ff;color:#555;font-style:italic}#trace-table tr.current td{background:#fff3b0}
`;

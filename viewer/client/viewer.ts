/// <reference lib="dom" />
// The counterexample page's script (inlined by viewer/page.ts; runs in the browser, never
// in node). It rebuilds the heap rows of every step from the page's frame deltas and
// moves through the steps with the slider, the buttons, a click on the lanes and the
// keyboard (←/→, Home/End): the heap tables at that step with the cells that changed
// since the step before highlighted, the rows the violation names outlined at its step,
// the cursor on the lanes, the machine edges taken so far and now, the trace rows.
(() => {
  interface Data {
    tables: { id: string; columns: string[] }[];
    frames: Record<string, string[] | null>[];
    info: string[];
    edges: string[][];
    culprit: string[];
    violationStep: number;
  }
  const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const data = JSON.parse(byId('view-data').textContent ?? '{}') as Data;
  const states: Record<string, string[]>[] = [];
  let rows: Record<string, string[]> = {};
  for (const delta of data.frames) {
    rows = { ...rows };
    for (const [key, row] of Object.entries(delta)) {
      if (row === null) delete rows[key];
      else rows[key] = row;
    }
    states.push(rows);
  }
  const last = states.length - 1;
  const slider = byId<HTMLInputElement>('slider');
  const lanes = document.getElementById('lanes') as unknown as SVGSVGElement;
  const cursor = document.getElementById('cursor') as unknown as SVGRectElement;
  const dx = Number(lanes.dataset['dx']);
  const x0 = Number(lanes.dataset['x0']);
  const edges = [...document.querySelectorAll<SVGGElement>('.machine .edge')];
  const traceRows = [...document.querySelectorAll<HTMLTableRowElement>('#trace-table tr[data-step]')];
  const order = (key: string): number => Number(key.slice(key.indexOf(':') + 1));

  const cell = (text: string, changed: boolean): HTMLTableCellElement => {
    const td = document.createElement('td');
    td.textContent = text;
    if (changed) td.className = 'changed';
    return td;
  };

  function renderTable(id: string, now: Record<string, string[]>, before: Record<string, string[]>, culprit: boolean): void {
    const tbody = document.querySelector(`#table-${id} tbody`)!;
    const keys = [...new Set([...Object.keys(now), ...Object.keys(before)])].filter((k) => k.startsWith(`${id}:`)).sort((a, b) => order(a) - order(b));
    tbody.replaceChildren(...keys.map((key) => {
      const tr = document.createElement('tr');
      tr.dataset['key'] = key;
      const row = now[key];
      const prev = before[key];
      if (row === undefined) {
        tr.className = 'removed';
        tr.append(...prev!.map((text) => cell(text, false)));
        return tr;
      }
      if (prev === undefined) tr.classList.add('added');
      if (culprit && data.culprit.includes(key)) tr.classList.add('culprit');
      tr.append(...row.map((text, i) => cell(text, prev !== undefined && prev[i] !== text)));
      return tr;
    }));
  }

  function show(k: number): void {
    const step = Math.max(0, Math.min(last, k));
    slider.value = String(step);
    byId('step-no').textContent = String(step);
    byId('state-step').textContent = String(step);
    byId('step-info').textContent = data.info[step] ?? '';
    const now = states[step]!;
    const before = step === 0 ? now : states[step - 1]!;
    for (const t of data.tables) renderTable(t.id, now, before, step === data.violationStep);
    cursor.setAttribute('x', String(x0 + step * dx));
    const taken = new Set(data.edges.slice(0, step + 1).flat());
    const current = new Set(data.edges[step]);
    for (const e of edges) {
      const key = e.dataset['edge']!;
      e.classList.toggle('taken', taken.has(key));
      e.classList.toggle('now', current.has(key));
    }
    for (const tr of traceRows) tr.classList.toggle('current', Number(tr.dataset['step']) === step);
    document.body.dataset['step'] = String(step);
  }

  byId('controls').hidden = false;
  slider.addEventListener('input', () => show(Number(slider.value)));
  byId('prev').addEventListener('click', () => show(Number(slider.value) - 1));
  byId('next').addEventListener('click', () => show(Number(slider.value) + 1));
  lanes.addEventListener('click', (ev) => {
    const box = lanes.getBoundingClientRect();
    const x = ((ev.clientX - box.left) * Number(lanes.getAttribute('width'))) / box.width;
    show(Math.floor((x - x0) / dx));
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.target === slider || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const step = Number(slider.value);
    const to = ({ ArrowLeft: step - 1, ArrowRight: step + 1, Home: 0, End: last } as Record<string, number>)[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    show(to);
  });
  const copy = byId<HTMLButtonElement>('copy');
  copy.hidden = false;
  copy.addEventListener('click', () => {
    const token = byId('token').textContent ?? '';
    const selectIt = (): void => {
      const range = document.createRange();
      range.selectNodeContents(byId('token'));
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      copy.textContent = 'selected: press Ctrl+C';
    };
    if (navigator.clipboard === undefined) selectIt();
    else navigator.clipboard.writeText(token).then(() => { copy.textContent = 'copied'; }, selectIt);
  });
  show(last);
})();

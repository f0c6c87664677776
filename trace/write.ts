// Writing a trace file: comment lines first, then one line per event; gzipped when the
// name ends in .gz.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { formatEvent, type TraceEvent } from './format.js';

export function writeTrace(file: string, events: readonly TraceEvent[], comments: string[] = []): void {
  const text = [...comments.map((c) => `# ${c}`), ...events.map(formatEvent)].join('\n') + '\n';
  writeFileSync(file, file.endsWith('.gz') ? gzipSync(text, { level: 9 }) : text);
}

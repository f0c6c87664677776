// How an error message shows a value the user gave: bounded, whatever was given (a
// 50 MB key, a 100,000-deep object), so that a message never echoes the input back whole
// and describing a value can never overflow the stack.

const MAX_CHARS = 60;

/** `text` in quotes, cut to MAX_CHARS with the length it had. */
export function quote(text: string): string {
  const shown = text.length <= MAX_CHARS ? text : `${text.slice(0, MAX_CHARS)}… (${text.length} chars)`;
  return `'${shown}'`;
}

/** A short description of any value: a number or a quoted string as itself, else its kind. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return `a ${typeof value}`;
}

// uvu as the test files see it when scripts/test.mjs runs them: the same API, but each
// test tells the parent process its name before it starts, so that a file stopped at
// its time limit is reported with the test that was running.
import * as uvu from '../node_modules/uvu/dist/index.mjs';

const announce = (suite, name) => process.send?.({ test: suite === '' ? name : `${suite} › ${name}` });

function named(t, suite) {
  const wrap = (register) => (name, handler) => register(name, async (ctx) => {
    announce(suite, name);
    return handler(ctx);
  });
  const w = wrap(t);
  Object.assign(w, t);
  w.only = wrap(t.only);
  return w;
}

export const suite = (name = '', state) => named(uvu.suite(name, state), name);
export const test = named(uvu.test, '');
export const exec = uvu.exec;

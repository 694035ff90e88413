// Bench children check that the probed copy really went through the rewrite.
// This realm's Function.prototype.toString gives the original text back by
// design (transparency); another realm's shows the text V8 runs.
import { runInNewContext } from 'node:vm';

const runningText = runInNewContext('Function.prototype.toString');

export function assertInstrumented(file, probed, bare, names) {
  for (const name of names) {
    if (runningText.call(probed[name]) === runningText.call(bare[name])) throw new Error(`${file} was not instrumented`);
  }
}

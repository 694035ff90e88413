// Linux refuses to start a program (E2BIG) when one argument or environment
// string is longer than MAX_ARG_STRLEN (32 pages: 131072 bytes with its NUL).
// The launcher lengthens NODE_OPTIONS and PYTHONPATH (the command's own
// arguments passed the same limit to reach us), so it checks the environment
// before the program starts: one line and exit 2 instead of a
// failed spawn. (The total size of all of them has a limit too, from the
// stack size; a command past it fails like in a shell: exit 126.)
import { UsageError } from './errors.js';

const MAX_ARG_STRLEN = 131072;

export function checkExecLimits(env: NodeJS.ProcessEnv): void {
  if (process.platform !== 'linux') return;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const bytes = Buffer.byteLength(key) + 1 + Buffer.byteLength(value) + 1;
    if (bytes > MAX_ARG_STRLEN) {
      throw new UsageError(`the environment variable ${key} is too long to start a program with (${bytes} bytes; Linux takes at most ${MAX_ARG_STRLEN} per variable)`);
    }
  }
}

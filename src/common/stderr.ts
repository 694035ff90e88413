// Our own lines on stderr (the launcher's table and warnings, the agent's
// --calls lines and warnings), written straight to fd 2. Not through
// process.stderr: in the program, a failed write there is an 'error' event on
// the program's own stream, and with no listener it kills the program (EPIPE
// when the reader of a pipe has gone: `tanzhen run … 2>&1 | head -1`); in the
// launcher, opening process.stderr on a pipe makes the pipe non-blocking for
// the program too. A write that fails (EPIPE, EBADF for a closed stderr)
// stops our output for good; the program's fate and exit code are untouched.
import { writeSync } from 'node:fs';

let closed = false;
const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeStderr(text: string): void {
  if (closed) return;
  let data = Buffer.from(text);
  let waits = 0;
  while (data.length > 0) {
    try {
      data = data.subarray(writeSync(2, data));
    } catch (error) {
      // A non-blocking stderr whose reader is slow: wait for it a little, as a blocking one would.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN' && waits++ < 1000) Atomics.wait(pause, 0, 0, 1);
      else {
        closed = true;
        return;
      }
    }
  }
}

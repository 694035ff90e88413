'use strict';

function sleep(n) {
  // Blocks like Python's time.sleep(n), without burning the CPU.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, n * 1000);
  return n;
}

module.exports = { sleep };

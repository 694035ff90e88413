const { setTimeout: wait } = require('node:timers/promises');

function sleep(n) {
  const end = Date.now() + n * 1000;
  while (Date.now() < end);
  return n;
}

module.exports = { sleep };

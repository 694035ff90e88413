const hello = require('./hello');

console.log(process.argv.slice(1).map((a, i) => (i === 0 ? require('node:path').basename(a) : a)));
console.log(hello.sleep(Number(process.env.SLEEP_SECONDS ?? 0.2)));

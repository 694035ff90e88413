// Filters file names with picomatch (an npm package; in a clone of tanzhen it
// is one of tanzhen's own dependencies), to show a package target:
//   tanzhen run -t 'picomatch:*' -- node examples/packages/match.js
import picomatch from 'picomatch';

const files = [];
for (let i = 0; i < 2000; i++) files.push(`src/module${i}/${i % 3 ? 'index' : 'util'}.${i % 2 ? 'ts' : 'js'}`);

const isSource = picomatch(['src/**/*.ts', '!**/util.*']);
console.log(files.filter((f) => isSource(f)).length, 'of', files.length, 'files match');

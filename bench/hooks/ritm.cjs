// require-in-the-middle as an APM agent uses it: one hook on a module name
// the program never loads. Every require() still goes through its patched
// Module.prototype.require.
'use strict';
const { Hook } = require('require-in-the-middle');
new Hook(['tanzhen-bench-never-loaded'], (exports) => exports);

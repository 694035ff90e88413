// import-in-the-middle's in-thread loader (module.registerHooks), on the Node
// versions where it supports it, plus one Hook on a module name the program
// never loads.
import { register } from 'import-in-the-middle/register-hooks.mjs';
import { Hook } from 'import-in-the-middle';

register();
Hook(['tanzhen-bench-never-loaded'], (exported) => exported);

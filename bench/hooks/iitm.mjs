// import-in-the-middle as an APM agent usually sets it up (e.g. OpenTelemetry's
// hook.mjs): its loader registered with module.register() for every module,
// plus one Hook on a module name the program never loads.
import { register } from 'node:module';
import { Hook } from 'import-in-the-middle';

register('import-in-the-middle/hook.mjs', import.meta.url);
Hook(['tanzhen-bench-never-loaded'], (exported) => exported);

// Command-line parsing for `tanzhen run` and `tanzhen report`. Options come
// before the command; the first word that is not an option (or what follows
// `--`) starts the command, whose own options are never read.
import { UsageError } from './errors.js';
import { TABLE_SORTS, type TableSort } from '../report/table.js';

/** The table's choices, on `run` and `report`: how many rows and in which order. */
export interface TableArgs {
  top?: number | 'all';
  sort?: TableSort;
}

export interface RunArgs extends TableArgs {
  trace: string[];
  config?: string;
  out?: string;
  calls: boolean;
  quiet: boolean;
  /** A view of the functions refreshed every second on stderr's terminal while the program runs. */
  live: boolean;
  /** Nest calls across timers and callbacks too (AsyncLocalStorage). */
  asyncContext?: boolean;
  /** A share of calls to time, or 'auto'. */
  sample?: string;
  maxSpans?: number;
  maxNodes?: number;
  flushMs?: number;
  /** Exporters (src/exporters/): --otlp [URL] (true: URL from the OTEL_* variables), --otlp-timeout, --metrics-port, --metrics-host. */
  otlp?: string | true;
  otlpTimeout?: number;
  metricsPort?: number;
  metricsHost?: string;
  /** --baseline DIR: print the diff against that run at the end; --fail-on gates the exit code on it. */
  baseline?: string;
  failOn?: string;
  command: string[];
}

export interface ReportArgs extends TableArgs {
  /** One run directory (or summary.json), or several to merge. */
  dirs: string[];
  json: boolean;
  tree: boolean;
}

export interface DiffArgs {
  base: string;
  head: string;
  format: 'table' | 'json' | 'markdown';
  failOn?: string;
  alpha?: number;
  minChange?: number;
  minCalls?: number;
}

export type Parsed =
  | { kind: 'help'; topic?: string }
  | { kind: 'version' }
  | { kind: 'run'; args: RunArgs }
  | { kind: 'report'; args: ReportArgs }
  | { kind: 'diff'; args: DiffArgs };

export function parseArgs(argv: string[]): Parsed {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '-h' || verb === '--help' || verb === 'help') return { kind: 'help', topic: rest[0] };
  if (verb === '--version' || verb === '-v') return { kind: 'version' };
  if (verb === 'run') return parseRun(rest);
  if (verb === 'report') return parseReport(rest);
  if (verb === 'diff') return parseDiff(rest);
  // `tanzhen -t ./app.js:main -- node app.js`: `run` forgotten.
  if (verb.startsWith('-') && parsesAsRun(argv)) throw new UsageError(`unknown command ${JSON.stringify(verb)}; did you mean: tanzhen run ${shortened(argv)}`);
  throw new UsageError(`unknown command ${JSON.stringify(verb)}`, 'tanzhen run [options] -- <command>, tanzhen report DIR, or tanzhen diff BASE HEAD');
}

function parsesAsRun(argv: string[]): boolean {
  try {
    return parseRun(argv).kind === 'run';
  } catch {
    return false;
  }
}

/** The words, up to about 80 characters. */
function shortened(words: string[]): string {
  let text = '';
  for (const word of words) {
    const quoted = /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
    if (text.length + quoted.length > 80) return `${text}…`;
    text += `${quoted} `;
  }
  return text.trimEnd();
}

/** Reads `--name value`, `--name=value` and `-n value`. */
function valueOf(args: string[], i: number, name: string, hint = HINT): [string, number] {
  const arg = args[i];
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq > 0) return [arg.slice(eq + 1), i];
  const next = args[i + 1];
  if (next === undefined) throw new UsageError(`option ${name} needs a value`, hint);
  // `--out -t ./app.js:main`: the value was forgotten. A value that starts with '-' is written --name=-value.
  if (next.startsWith('-') && next !== '-' && !/^-\d/.test(next)) throw new UsageError(`option ${name} needs a value, not the option ${next}`, hint);
  return [next, i + 1];
}

/** `--top N|all` and `--sort COLUMN`, shared by run and report: the index of the last word used, or undefined when `name` is neither. */
function tableOption(table: TableArgs, args: string[], i: number, name: string, hint: string): number | undefined {
  if (name === '--top') {
    const [value, next] = valueOf(args, i, name, hint);
    const n = Number(value);
    if (value === 'all') table.top = 'all';
    else if (/^\d+$/.test(value) && Number.isSafeInteger(n) && n >= 1) table.top = n;
    else throw new UsageError(`--top takes a number of functions (1 or more) or "all", not ${JSON.stringify(value)}`);
    return next;
  }
  if (name === '--sort') {
    const [value, next] = valueOf(args, i, name, hint);
    if (!(TABLE_SORTS as readonly string[]).includes(value)) throw new UsageError(`--sort takes one of ${TABLE_SORTS.join(', ')}, not ${JSON.stringify(value)}`);
    table.sort = value as TableSort;
    return next;
  }
  return undefined;
}

const HINT = 'see tanzhen run --help';

function integerOf(args: string[], i: number, name: string, min: number): [number, number] {
  const [value, next] = valueOf(args, i, name);
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} takes a whole number ≥ ${min}, not ${JSON.stringify(value)}`);
  return [n, next];
}

function parseRun(args: string[]): Parsed {
  const run: RunArgs = { trace: [], calls: false, quiet: false, live: false, command: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    switch (name) {
      case '--':
        run.command = args.slice(i + 1);
        return finishRun(run);
      case '-t':
      case '--trace': {
        const [value, next] = valueOf(args, i, name);
        run.trace.push(value);
        i = next;
        break;
      }
      case '-c':
      case '--config':
        [run.config, i] = valueOf(args, i, name);
        break;
      case '--out':
      case '-o':
        [run.out, i] = valueOf(args, i, name);
        break;
      case '--calls':
        run.calls = true;
        break;
      case '--live':
        run.live = true;
        break;
      case '--async-context':
        run.asyncContext = true;
        break;
      case '--sample': {
        const [value, next] = valueOf(args, i, name);
        if (value !== 'auto' && !(Number(value) > 0 && Number(value) <= 1)) throw new UsageError(`--sample takes a rate in (0, 1] or "auto", not ${JSON.stringify(value)}`);
        run.sample = value;
        i = next;
        break;
      }
      case '--max-spans':
        [run.maxSpans, i] = integerOf(args, i, name, 0);
        break;
      case '--max-nodes':
        [run.maxNodes, i] = integerOf(args, i, name, 1);
        break;
      case '--flush-interval':
        [run.flushMs, i] = integerOf(args, i, name, 0);
        break;
      case '--otlp': {
        // The URL is optional: taken only as `--otlp=URL` or when the next word is an http(s) URL.
        const inline = arg.includes('=');
        const value = inline ? arg.slice(arg.indexOf('=') + 1) : /^https?:\/\//i.test(args[i + 1] ?? '') ? args[++i] : undefined;
        if (value !== undefined && !isHttpUrl(value)) throw new UsageError(`--otlp takes an http(s) URL, not ${JSON.stringify(value)}`);
        run.otlp = value ?? true;
        break;
      }
      case '--otlp-timeout':
        [run.otlpTimeout, i] = integerOf(args, i, name, 0);
        break;
      case '--metrics-port': {
        const [port, next] = integerOf(args, i, name, 0);
        if (port > 65535) throw new UsageError(`--metrics-port takes a port number (0-65535), not ${port}`);
        [run.metricsPort, i] = [port, next];
        break;
      }
      case '--metrics-host':
        [run.metricsHost, i] = valueOf(args, i, name);
        break;
      case '--baseline':
        [run.baseline, i] = valueOf(args, i, name);
        break;
      case '--fail-on':
        [run.failOn, i] = valueOf(args, i, name);
        break;
      case '-q':
      case '--quiet':
        run.quiet = true;
        break;
      case '--top':
      case '--sort':
        i = tableOption(run, args, i, name, HINT)!;
        break;
      case '-h':
      case '--help':
        return { kind: 'help', topic: 'run' };
      case '--version':
        return { kind: 'version' };
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`, 'see tanzhen run --help');
        run.command = args.slice(i);
        return finishRun(run);
    }
  }
  return finishRun(run);
}

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

function finishRun(run: RunArgs): Parsed {
  if (run.failOn !== undefined && run.baseline === undefined) throw new UsageError('--fail-on needs --baseline DIR (the run to compare with)', 'tanzhen run --baseline DIR --fail-on p95>10% -- <command>');
  if (run.command.length === 0) throw new UsageError('no command to run', 'tanzhen run -t ./app.js:main -- node app.js');
  if (run.live && run.flushMs === 0) throw new UsageError('--live shows what the processes save every flush interval: --flush-interval 0 turns that off', HINT);
  return { kind: 'run', args: run };
}

const REPORT_HINT = 'tanzhen report DIR [DIR…] [--top N|all] [--sort total|self|calls|p99|errors] [--json | --tree]';

function parseReport(args: string[]): Parsed {
  const dirs: string[] = [];
  let json = false;
  let tree = false;
  const table: TableArgs = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    const next = tableOption(table, args, i, name, REPORT_HINT);
    if (next !== undefined) i = next;
    else if (arg === '--json') json = true;
    else if (arg === '--tree') tree = true;
    else if (arg === '-h' || arg === '--help') return { kind: 'help', topic: 'report' };
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`, REPORT_HINT);
    else dirs.push(arg);
  }
  if (dirs.length === 0) throw new UsageError('which run directory?', REPORT_HINT);
  return { kind: 'report', args: { dirs, json, tree, ...table } };
}

function parseDiff(args: string[]): Parsed {
  const paths: string[] = [];
  const diff: Omit<DiffArgs, 'base' | 'head'> = { format: 'table' };
  const hint = 'tanzhen diff BASE HEAD [--json | --markdown] [--fail-on p95>10%]';
  const number = (i: number, name: string, check: (n: number) => boolean, what: string): [number, number] => {
    const [value, next] = valueOf(args, i, name);
    const n = Number(value.replace(/%$/, '')) / (value.endsWith('%') ? 100 : 1);
    if (value.trim() === '' || !check(n)) throw new UsageError(`${name} takes ${what}, not ${JSON.stringify(value)}`, hint);
    return [n, next];
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.startsWith('--') && arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
    if (name === '--json' || name === '--markdown') {
      if (diff.format !== 'table') throw new UsageError('--json and --markdown: one or the other', hint);
      diff.format = name === '--json' ? 'json' : 'markdown';
    } else if (name === '--fail-on') [diff.failOn, i] = valueOf(args, i, name);
    else if (name === '--alpha') [diff.alpha, i] = number(i, name, (n) => n > 0 && n < 1, 'a significance level in (0, 1)');
    else if (name === '--min-change') [diff.minChange, i] = number(i, name, (n) => n >= 0, 'a relative change ≥ 0 (5% or 0.05)');
    else if (name === '--min-calls') [diff.minCalls, i] = integerOf(args, i, name, 2);
    else if (arg === '-h' || arg === '--help') return { kind: 'help', topic: 'diff' };
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`, hint);
    else paths.push(arg);
  }
  if (paths.length !== 2) throw new UsageError(paths.length < 2 ? 'diff needs two runs: BASE and HEAD (out directories or summary.json files)' : `unexpected argument ${paths[2]}`, hint);
  return { kind: 'diff', args: { base: paths[0], head: paths[1], ...diff } };
}

export const HELP = `tanzhen: time any function of a running program, without touching its code

Usage:
  tanzhen run [options] [--] <command> [args...]
  tanzhen report DIR [DIR...] [--top N|all] [--sort COLUMN] [--json | --tree]
  tanzhen diff BASE HEAD [--json | --markdown] [--fail-on EXPR]

Options for run:
  -t, --trace <module>:<name>  a function to time (repeatable), e.g.
                               ./src/db.ts:Client.query   fs:readFileSync
                               express:*   ./lib/**/*.js:*   hello:sleep (Python)
  -c, --config FILE            read targets from FILE (JSON, or JS named here)
  -o, --out DIR                write DIR/summary.json (and keep per-process data)
      --calls                  print one line per call on stderr
      --live                   while the program runs, a view of the functions
                               (last second and since start) refreshed every
                               second at the bottom of the terminal; q closes it
      --async-context          nest calls across timers, emitters and .then()
                               callbacks too (costs an AsyncLocalStorage
                               enterWith per call: ~0.5 µs on Node 24)
      --sample RATE|auto       time only a share of calls (0.1: 1 in 10; 1: all;
                               auto: busy functions share ~50 000 timed calls
                               a second), still counting every call; default: auto for
                               functions of wildcard targets (pkg:*), all for
                               the rest
      --max-spans N            individual calls kept per process (default 100000)
      --max-nodes N            call-tree paths kept per process (default 50000);
                               calls on new paths past it go to "(other calls)"
      --flush-interval MS      how often processes save their data (default 1000)
      --otlp [URL]             send every call as a span to an OpenTelemetry
                               collector (OTLP/HTTP; URL default from
                               OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, else
                               http://localhost:4318)
      --otlp-timeout MS        time left to send the last spans at exit (default 2000)
      --metrics-port PORT      serve Prometheus metrics at :PORT/metrics during the run
      --metrics-host HOST      address to serve them on (default 127.0.0.1)
      --baseline DIR           at the end, print the diff against that run (an
                               out directory or summary.json) on stderr
      --fail-on EXPR           with --baseline: exit 1 when a function got
                               significantly slower past a threshold (see diff)
  -q, --quiet                  no table at exit
      --top N|all              functions in the table (default 25, by total time;
                               never-called functions are only counted)
      --sort COLUMN            order of the table: total, self, calls, p99 or errors
  -h, --help                   this help
      --version                the version

Options for report (DIR is a run's --out directory; several, or a directory
of them, are merged into one):
      --top N|all, --sort COLUMN   as for run
      --json                   the whole summary as JSON on stdout
      --tree                   the call tree as text on stdout

Options for diff (BASE and HEAD: out directories, summary.json files, or
directories of repeated runs):
      --json                   the comparison as JSON (docs/diff.md)
      --markdown               the comparison as a pull-request comment
      --fail-on EXPR           exit 1 when a function is significantly worse by
                               more than a threshold: p50|p95|p99|mean>N% or
                               >N ms|µs|s, errors>N or errors>N%; comma-separated
      --alpha A                significance level of the test (default 0.01)
      --min-change X           smaller typical changes are unchanged (default 5%)
      --min-calls N            fewer timed calls: too few calls (default 30)

Targets also come from TANZHEN_TRACE (separated by ';' or newlines), from
tanzhen.config.json in the working directory, or from a "tanzhen" key in
package.json: { "trace": ["./hello.js:sleep"] }.
`;

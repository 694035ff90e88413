// `tanzhen run --live` in a real terminal (tmux): the view shows the probed
// function and its counts grow from one screen to the next, the program's
// own output stays visible above it, Ctrl-C reaches the program (its handler
// runs, its exit code passes through), `q` closes the view while the program
// goes on, the final table comes as usual and the terminal's modes are given
// back. With stderr not a terminal, --live adds nothing.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { bin, fixture, node, tanzhen, tempDir } from './helpers.mjs';

const cwd = fixture('live');
const tmuxBin = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((p) => existsSync(p));
const skip = tmuxBin ? false : 'tmux is not installed (apt-get install tmux; .ci/run does)';
const dir = tempDir('tz-live-');
const socket = path.join(dir, 'tmux.sock');
const quote = (s) => `'${s.replace(/'/g, "'\\''")}'`;
const run = (...args) => quote(node) + ' ' + [bin, 'run', '--live', '-t', './app.js:work', '--', node, 'app.js', ...args].map(quote).join(' ');

after(() => {
  if (tmuxBin) spawnSync(tmuxBin, ['-S', socket, 'kill-server']);
  rmSync(dir, { recursive: true, force: true });
});

const tmux = (...args) => execFileSync(tmuxBin, ['-S', socket, ...args], { encoding: 'utf8' });

/** Runs `script` (sh) in a new 140×30 terminal window; the window stays after it ends. */
function terminal(name, script) {
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', '140', '-y', '30', '-c', cwd, `${script}; sleep 60`);
  return {
    screen: () => tmux('capture-pane', '-p', '-t', name),
    keys: (...keys) => tmux('send-keys', '-t', name, ...keys),
    tty: () => tmux('display-message', '-p', '-t', name, '#{pane_tty}').trim(),
  };
}

async function waitFor(window, what, check, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const screen = window.screen();
    const found = check(screen);
    if (found) return found;
    if (Date.now() > end) assert.fail(`no ${what} within ${ms} ms; the screen:\n${screen}`);
    await sleep(100);
  }
}

/** The view's row for work(): its figures by column title ("since start" calls is the only `calls`). */
function workRow(screen) {
  const lines = screen.split('\n');
  const header = lines.findIndex((l) => /^function\s+calls\/s/.test(l));
  const row = header >= 0 && lines.slice(header + 1).find((l) => l.startsWith('work (app.js:'));
  if (!row) return undefined;
  const titles = lines[header].trim().split(/\s{2,}/);
  const cells = row.trim().split(/\s{2,}/);
  return { calls: Number(cells[titles.indexOf('calls')]), perSecond: Number(cells[titles.indexOf('calls/s')]) };
}

// The three terminals run side by side, to keep the test short.
describe('run --live in a terminal', { concurrency: true, skip }, () => {
  test('run --live: the view updates, Ctrl-C reaches the program, the table follows, the terminal is given back', { timeout: 30_000 }, async () => {
    const window = terminal('ctrlc', `stty -g > ${dir}/before; ${run('20')}; echo EXIT=$?; stty -g > ${dir}/after`);
    const first = await waitFor(window, 'first figures', (s) => (workRow(s)?.calls > 0 ? s : undefined));
    assert.match(first, /^program started$/m, 'the program output stays visible above the view');
    assert.match(first, /^tanzhen live · \d+:\d\d · 1 process · .*node app\.js 20/m);
    const before = workRow(first);
    const second = await waitFor(window, 'a later screen with more calls', (s) => (workRow(s)?.calls > before.calls ? s : undefined));
    const later = workRow(second);
    console.log(`# calls on two screens: ${before.calls} then ${later.calls} (${later.perSecond}/s)`);
    assert.ok(later.perSecond > 0, second);

    window.keys('C-c');
    const end = await waitFor(window, 'the end of the run', (s) => (/^EXIT=\d+$/m.test(s) ? s : undefined));
    assert.match(end, /^program got SIGINT$/m);
    assert.match(end, /^EXIT=42$/m);
    assert.match(end, /^tanzhen: 1 function probed in 1 process$/m);
    assert.match(end, /^work \(app\.js:3\)\s+\d+\s+0\s/m);
    assert.doesNotMatch(end, /tanzhen live ·/, 'the view is gone');
    await waitFor(window, 'stty after', () => existsSync(`${dir}/after`));
    assert.equal(readFileSync(`${dir}/after`, 'utf8'), readFileSync(`${dir}/before`, 'utf8'), 'terminal modes restored');
  });

  test('run --live: q closes the view and gives the keyboard back, the program goes on to its end and the table', { timeout: 30_000 }, async () => {
    const window = terminal('quit', `stty -g > ${dir}/q-before; ${run('6')}; echo EXIT=$?`);
    const view = await waitFor(window, 'the view', (s) => (workRow(s) ? s : undefined));
    assert.match(view, /q: close view, Ctrl-C: interrupt the program/);
    const modes = () => execFileSync('stty', ['-g', '-F', window.tty()], { encoding: 'utf8' });
    const before = readFileSync(`${dir}/q-before`, 'utf8');
    assert.notEqual(modes(), before, 'keys read one by one, no echo, while the view is up');
    window.keys('q');
    const closed = await waitFor(window, 'the view closed', (s) => (!/tanzhen live ·/.test(s) ? s : undefined));
    assert.doesNotMatch(closed, /program done/, 'the program still runs');
    assert.equal(modes(), before, 'terminal modes restored at once');
    const end = await waitFor(window, 'the end of the run', (s) => (/^EXIT=\d+$/m.test(s) ? s : undefined));
    assert.match(end, /^program done$/m);
    assert.match(end, /^EXIT=0$/m);
    assert.match(end, /^tanzhen: 1 function probed in 1 process$/m);
    assert.doesNotMatch(end, /tanzhen live ·/);
  });

  test('run --live with stderr not a terminal: nothing more than without it', { timeout: 30_000 }, async () => {
    // stdout on the terminal, stderr to a file.
    const window = terminal('piped', `${run('1')} 2> ${dir}/stderr; echo EXIT=$?`);
    const end = await waitFor(window, 'the end of the run', (s) => (/^EXIT=\d+$/m.test(s) ? s : undefined));
    assert.deepEqual(end.split('\n').filter(Boolean), ['program started', 'program done', 'EXIT=0']);
    const stderr = readFileSync(`${dir}/stderr`, 'utf8');
    assert.doesNotMatch(stderr, /\x1b/);
    // The same lines as the same run without --live, figures aside.
    const plain = await tanzhen(['run', '-t', './app.js:work', '--', node, 'app.js', '1'], { cwd });
    const shape = (text) => text.replace(/\d+(\.\d+)?( ?[nµm]?s)?/g, 'N').replace(/ +/g, ' ');
    assert.equal(shape(stderr), shape(plain.stderr));
    assert.match(stderr, /^work \(app\.js:3\)\s+\d+\s+0\s/m);
  });
});

test('run --live --flush-interval 0: one clear line, exit 2', async () => {
  const r = await tanzhen(['run', '--live', '--flush-interval', '0', '--', node, '-e', '']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^tanzhen: --live shows what the processes save every flush interval: --flush-interval 0 turns that off\nusage: see tanzhen run --help\n$/);
});

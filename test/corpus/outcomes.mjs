// What a test run says, reduced to what must not change under the probe: the
// outcome of every test the runner names, and its counts. Durations and test
// numbers are dropped, and outcomes are sorted, since runners that run tests
// concurrently (ava, tap) print them in the order they finish.

/** TAP (tape, mocha --reporter tap, ava --tap, tap -R tap), subtests included. */
function tap(stdout) {
  const outcomes = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\s*)(not ok|ok)\b\s*\d*\s*(?:-\s*)?(.*)$/.exec(line);
    if (m) outcomes.push(`${m[1]}${m[2]} ${m[3].replace(/\s*#\s*time=[\d.]+m?s\s*$/, '').replace(/\s*\(\d+(?:\.\d+)?m?s\)\s*$/, '')}`);
  }
  const count = (name) => {
    const all = [...stdout.matchAll(new RegExp(`^# ${name}\\s+(\\d+)\\s*$`, 'gm'))];
    return all.length ? Number(all.at(-1)[1]) : undefined;
  };
  const top = outcomes.filter((o) => !/^\s/.test(o));
  return {
    tests: count('tests') ?? top.length,
    pass: count('pass') ?? top.filter((o) => o.startsWith('ok')).length,
    fail: count('fail') ?? top.filter((o) => o.startsWith('not ok')).length,
    outcomes: outcomes.sort(),
  };
}

/** acorn's test/run.js: one line per parser mode and a total; failures are logged one per test before them. */
function acorn(stdout) {
  const lines = stdout.split('\n').map((l) => l.replace(/ in \d+ms/, '').trimEnd()).filter((l) => l.trim() !== '');
  const total = /Total: (\d+) tests run; (?:(\d+) failures|all passed)/.exec(lines.join('\n'));
  const tests = Number(total?.[1] ?? 0);
  const fail = Number(total?.[2] ?? 0);
  return { tests, pass: tests - fail, fail, outcomes: lines };
}

/** python -m unittest -v: one "name ... ok|FAIL|ERROR|skipped" line per test (on stderr) and "Ran N tests". */
function unittest(stdout, stderr) {
  const outcomes = stderr.split('\n').filter((l) => / \.\.\. (ok|FAIL|ERROR|skipped|expected failure|unexpected success)/.test(l)).sort();
  const tests = Number(/^Ran (\d+) tests?/m.exec(stderr)?.[1] ?? 0);
  const fail = outcomes.filter((l) => /\.\.\. (FAIL|ERROR|unexpected success)/.test(l)).length;
  return { tests, pass: tests - fail, fail, outcomes };
}

export const parsers = { tap, acorn, unittest };

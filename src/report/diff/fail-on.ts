// `--fail-on p95>10%,errors>0`: the rules a CI gate applies to a diff. A
// latency rule breaks only when the function is significantly worse (verdict
// `slower`, or for a percentile, its confidence intervals apart) AND the
// change passes the threshold; an error rule compares counts or rates.
import type { DiffFunction, DiffReport } from '../../common/types.js';

export type Metric = 'p50' | 'p95' | 'p99' | 'mean' | 'errors';

export interface Rule {
  text: string;
  metric: Metric;
  /** A relative increase (0.1 for 10%), an absolute one in ms, or for errors a count or a rate in points. */
  kind: 'relative' | 'absolute';
  limit: number;
}

export class FailOnError extends Error {}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000 };

export function parseFailOn(expression: string): Rule[] {
  const rules: Rule[] = [];
  for (const part of expression.split(',')) {
    const text = part.replace(/\s+/g, '');
    const match = /^(p50|p95|p99|mean|errors)>(\d+(?:\.\d+)?)(%|ns|us|µs|ms|s)?$/.exec(text);
    if (!match) throw new FailOnError(`--fail-on: cannot read ${JSON.stringify(part.trim())}; write e.g. p95>10%, p50>2ms or errors>0 (metrics: p50 p95 p99 mean errors)`);
    const [, metric, number, unit] = match;
    const value = Number(number);
    if (metric === 'errors') {
      if (unit !== undefined && unit !== '%') throw new FailOnError(`--fail-on: errors take a count (errors>0) or a rate (errors>1%), not ${JSON.stringify(text)}`);
      rules.push({ text, metric, kind: unit === '%' ? 'relative' : 'absolute', limit: unit === '%' ? value / 100 : value });
    } else if (unit === undefined) {
      throw new FailOnError(`--fail-on: ${JSON.stringify(text)} needs a unit: ${metric}>${number}% (relative) or ${metric}>${number}ms (absolute)`);
    } else if (unit === '%') {
      rules.push({ text, metric: metric as Metric, kind: 'relative', limit: value / 100 });
    } else {
      rules.push({ text, metric: metric as Metric, kind: 'absolute', limit: value * UNITS[unit] });
    }
  }
  return rules;
}

/** The broken rules, one per function and rule. */
export function applyFailOn(report: DiffReport, rules: Rule[]): NonNullable<DiffReport['failOn']> {
  const failed: NonNullable<DiffReport['failOn']>['failed'] = [];
  for (const fn of report.functions) {
    for (const rule of rules) if (breaks(fn, rule)) failed.push({ target: fn.target, name: fn.name, file: fn.file, rule: rule.text });
  }
  return { rules: rules.map((r) => r.text), failed };
}

function breaks(fn: DiffFunction, rule: Rule): boolean {
  const base = fn.base;
  const head = fn.head;
  if (head === undefined) return false; // gone
  if (rule.metric === 'errors') {
    const before = base?.errors ?? 0;
    if (rule.kind === 'absolute') return head.errors - before > rule.limit;
    const rate = (errors: number, calls: number) => (calls > 0 ? errors / calls : 0);
    return rate(head.errors, head.calls) - rate(before, base?.calls ?? 0) > rule.limit;
  }
  if (base === undefined || fn.verdict === 'too few calls') return false;
  const key = `${rule.metric}Ms` as const;
  const increase = rule.kind === 'relative' ? (base[key] > 0 ? head[key] / base[key] - 1 : 0) : head[key] - base[key];
  if (!(increase > rule.limit)) return false;
  // A tail that grew while the typical call did not counts too, for that percentile alone.
  return fn.verdict === 'slower' || (rule.metric !== 'mean' && fn.percentiles?.[rule.metric] === 'higher');
}

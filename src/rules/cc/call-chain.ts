import { Severity } from '../../core/errors';
import { formatMillis } from '../../core/grammar';
import { listCounted, SHOWN_IN_FINDINGS } from '../../core/text';
import { buildCallGraph, CALL_GRAPH_MEMO, CallGraph, CallNode, PATH_ENDS, pathSummaries, shownPath } from '../../engine/call-graph';
import { AppFinding, IstioObject, Rule, RuleContext } from '../../engine/types';

/** The call graph, built once per rule run and shared by the CC rules. */
function graphOf(ctx: RuleContext): CallGraph {
  return ctx.memo(CALL_GRAPH_MEMO, () => buildCallGraph(ctx, ctx.callChain));
}

const arrow = (path: ReadonlyArray<string | undefined>) => path.map((h) => h ?? '…').join(' → ');

/** Hops remembered per path summary: the first ends of the path, and the retrying layers messages name. */
const KEEP = Math.max(PATH_ENDS, SHOWN_IN_FINDINGS + 1);

/** A path as messages show it: whole when short, else its first and last hops around the elided ones. */
function elided(path: readonly string[]): Array<string | undefined> {
  return path.length <= 2 * PATH_ENDS + 1 ? [...path] : [...path.slice(0, PATH_ENDS), undefined, ...path.slice(-PATH_ENDS)];
}
const ms = (n: number) => formatMillis(Math.ceil(n - 1e-9));

function finding(n: CallNode | undefined, f: Omit<AppFinding, 'object'>): AppFinding[] {
  const object: IstioObject | undefined = n?.reportOn;
  return object ? [{ ...f, object }] : [];
}

export const CC01: Rule = {
  code: 'CC-01', title: 'Worst-case retry amplification along a call chain stays within budget (default 10)', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['VirtualService'],
  why: 'Each layer that retries multiplies the requests reaching the layers below: 3 hops with 2 retries each turn one failure into 27 requests at the last service, hammering a service that is already failing. A route without retries gets Istio\'s implicit 2.',
  fix: 'Retry at one layer of the chain, preferably the outermost; give inner hops RetryPolicy.none() (attempts: 0) or 1 retry. Raise the budget (Rules.of(app).callChain) or suppress with a reason only if the inner services shed load.',
  upstream: 'Derived: Envoy retry semantics; seed guidance (retry storms); no upstream validator checks this',
  checkApp(ctx) {
    const g = graphOf(ctx);
    const paths = pathSummaries(g, 'factorVia', KEEP);
    const out: AppFinding[] = [];
    for (const [host, f] of g.figures) {
      const via = f.factorVia ? g.figures.get(f.factorVia) : undefined;
      if (f.factor <= g.options.maxAmplification || (via && via.factor > g.options.maxAmplification)) continue;
      const summary = paths(host);
      const path = shownPath(g, host, 'factorVia', summary).hops;
      const factors = path.map((h) => (h === undefined ? '…' : String(g.nodes.get(h)!.policy.attempts + 1)));
      out.push(...finding(g.nodes.get(host), {
        message: `up to ${f.factor} requests reach ${host} per request entering at ${summary.head[0]} (path ${arrow(path)}: ${factors.join(' × ')} = ${f.factor} > budget ${g.options.maxAmplification})`,
        fix: this.fix, value: f.factor, allowed: `<= ${g.options.maxAmplification}`,
      }));
    }
    return out;
  },
};

export const CC02: Rule = {
  code: 'CC-02', title: 'Retries at one layer of a call chain only', severity: Severity.WARNING, levels: 'W', scope: 'app',
  kinds: ['VirtualService'],
  why: 'Retries configured at several layers of the same path multiply (see CC-01) and make the inner layers redo work the outer layer will retry anyway.',
  fix: 'Keep retries at the outermost layer and set RetryPolicy.none() (attempts: 0) on the inner hops.',
  upstream: 'Derived: seed guidance ("retry at one layer, preferably the outermost")',
  checkApp(ctx) {
    const g = graphOf(ctx);
    const paths = pathSummaries(g, 'retryLayersVia', KEEP);
    const out: AppFinding[] = [];
    for (const [host, f] of g.figures) {
      const n = g.nodes.get(host)!;
      if (n.policy.attempts === 0 || f.retryLayers < 2) continue;
      // The retrying layers of the path, this one (which retries) the last: those before it are named.
      const summary = paths(host);
      const before = (summary.retrying <= KEEP ? summary.retryingHead.slice(0, -1) : summary.retryingHead).slice(0, SHOWN_IN_FINDINGS);
      out.push(...finding(n, {
        message: `${host} retries (${n.policy.attemptsSource}) although ${listCounted(before, summary.retrying - 1)} on the same path already retr${summary.retrying > 2 ? 'y' : 'ies'} (${arrow(shownPath(g, host, 'retryLayersVia', summary).hops)})`,
        fix: this.fix, value: summary.retrying,
      }));
    }
    return out;
  },
};

export const CC03: Rule = {
  code: 'CC-03', title: "A caller's timeout covers its callee's worst case plus headroom (default 10 %)", severity: Severity.ERROR, levels: 'E/W', scope: 'app',
  kinds: ['VirtualService'],
  why: 'If an outer timeout is shorter than the inner worst case, the outer layer gives up (and may retry) while the inner layer is still working: the work can never complete. Deadlines must shrink from the outside in. A caller without a timeout calling a callee that has one is a warning.',
  fix: "Raise the caller's timeout to at least the callee's worst case × 1.1, or lower the callee's timeout/retries.",
  upstream: 'Derived: Envoy router (route timeout includes retries); seed guidance (nested timeouts)',
  checkApp(ctx) {
    const g = graphOf(ctx);
    const required = (worst: number) => Math.ceil((worst * (100 + g.options.timeoutHeadroomPercent)) / 100 - 1e-9);
    const out: AppFinding[] = [];
    for (const caller of g.nodes.values()) {
      for (const to of caller.calls) {
        const callee = g.nodes.get(to)!;
        const worst = callee.policy.worstMs;
        if (worst === undefined) continue;
        if (caller.policy.timeoutMs === undefined) {
          if (!caller.routing) continue;
          out.push(...finding(caller, {
            severity: Severity.WARNING,
            message: `${caller.host} has no timeout on every route but calls ${to}, which can take up to ${ms(worst)}; callers of ${caller.host} may wait forever`,
            fix: `Set a timeout on ${caller.host} of at least ${ms(required(worst))}.`,
          }));
        } else if (caller.policy.timeoutMs < required(worst)) {
          out.push(...finding(caller, {
            message: `${caller.host} timeout ${ms(caller.policy.timeoutMs)} is shorter than ${to}'s worst case ${ms(worst)} + ${g.options.timeoutHeadroomPercent}% headroom (${ms(required(worst))})`,
            fix: this.fix, value: ms(caller.policy.timeoutMs), allowed: `>= ${ms(required(worst))}`,
          }));
        }
      }
    }
    return out;
  },
};

export const CC04: Rule = {
  code: 'CC-04', title: 'No cycles in the call graph', severity: Severity.ERROR, levels: 'E', scope: 'app',
  kinds: ['VirtualService'],
  why: 'A cycle makes retries and timeouts unbounded: each pass multiplies the requests and no deadline can cover it.',
  fix: 'Break the cycle (an asynchronous hand-off, or a call to a different service), or correct the declared calls.',
  upstream: 'Derived: call-graph analysis',
  checkApp(ctx) {
    const g = graphOf(ctx);
    return g.cycles.flatMap((cycle) => finding(g.nodes.get(cycle[0]), { message: `call cycle ${arrow(elided(cycle))}`, fix: this.fix, value: arrow(elided(cycle)) }));
  },
};


// The pure parts of the benchmark harness (bench/): parsing wrk's and /proc's output, summaries,
// ratios, goals, the Atrium seeding plan. Nothing here starts a process or measures time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atriumLoad, atriumScenarioSpecs, benchKey, deployments, fullChainPolicy, seedPlan } from '../bench/atrium.ts';
import { chainOfLines, dependentLoadNs } from '../bench/memory-latency.ts';
import { ownBlockMs, parseEventLoopLine, parseHeapLine } from '../bench/probe-lines.ts';
import { cpuMicrosPerRequest, isHarnessBound } from '../bench/measure.ts';
import type { Outcome } from '../bench/measure.ts';
import { parseProcStat, parseVmRssKb } from '../bench/proc.ts';
import { formatCalibration, formatPaired, MATCH_TOLERANCE, pairNotMeasured, pairReport, pairRound, processesMatch, roundOrder, selectPairs } from '../bench/pairs.ts';
import type { RoundFigures } from '../bench/pairs.ts';
import { formatGoals, formatTable, ratiosAndGoals, scenarioReport } from '../bench/report.ts';
import { formatReload, reloadGoals } from '../bench/reload.ts';
import type { ReloadReport } from '../bench/reload.ts';
import { leanTargets, referenceScenarios, variantScenarios } from '../bench/scenarios.ts';
import { restoreSeeded, saveSeeded, seedCacheKey, sourceHash } from '../bench/seed-cache.ts';
import { computeRatio, computeRatios, evaluateGoals, evaluateHeapGoals, goals as ratioGoals, heapPerThousandApis, pairedRatioPairs, summarize } from '../bench/stats.ts';
import { aptInstallLine, checkTools } from '../bench/tools.ts';
import { parseWrkOutput, wrkScript } from '../bench/wrk.ts';

const wrkOutput = `Running 3s test @ http://127.0.0.1:40123
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20ms  300.00us   9.80ms   90.00%
    Req/Sec    50.00k     2.00k   55.00k    70.00%
  150000 requests in 3.00s, 30.00MB read
  Non-2xx or 3xx responses: 7
Requests/sec:  50000.00
Transfer/sec:     10.00MB
BENCH_RESULT {"requests":150000,"durationUs":3000000,"bytes":36000000,"connect":0,"read":2,"write":0,"status":7,"timeout":1,"p50Us":1100,"p99Us":2500,"p999Us":7300,"maxUs":9800}
`;

test('parseWrkOutput reads the done-hook line: throughput, percentiles in ms, errors summed', () => {
  const result = parseWrkOutput(wrkOutput);
  assert.equal(result.requests, 150000);
  assert.equal(result.durationSeconds, 3);
  assert.equal(result.rps, 50000);
  assert.equal(result.p50Ms, 1.1);
  assert.equal(result.p99Ms, 2.5);
  assert.equal(result.p999Ms, 7.3);
  assert.equal(result.maxMs, 9.8);
  assert.equal(result.bytesPerResponse, 240);
  assert.deepEqual(result.errors, { connect: 0, read: 2, write: 0, status: 7, timeout: 1 });
  assert.equal(result.errorCount, 10);
});

test('parseWrkOutput fails clearly when the script printed no result', () => {
  assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused\n'), /no result line/);
});

test('wrkScript sets method, body and headers, and formats random targets once in init', () => {
  const fixed = wrkScript({ method: 'POST', path: '/hello', bodyBytes: 4096, headers: { 'Ocp-Apim-Subscription-Key': 'k1' } });
  assert.match(fixed, /wrk\.method = "POST"/);
  assert.match(fixed, /wrk\.path = "\/hello"/);
  assert.match(fixed, /string\.rep\("x", 4096\)/);
  assert.match(fixed, /wrk\.headers\["Ocp-Apim-Subscription-Key"\] = "k1"/);
  assert.match(fixed, /latency:percentile\(99\.9\)/);
  assert.doesNotMatch(fixed, /request = function/);
  const random = wrkScript({ method: 'GET', path: '/', targetsFile: '/tmp/t.targets', keyHeader: 'Ocp-Apim-Subscription-Key' });
  assert.match(random, /io\.lines\("\/tmp\/t\.targets"\)/);
  // Shuffled once, then sent round after round: every target is sent once per round.
  assert.match(random, /targets\[i\], targets\[j\] = targets\[j\], targets\[i\]/);
  assert.match(random, /request = function\(\) at = at % #targets \+ 1; return targets\[at\] end/);
});

test('parseProcStat counts fields after the last parenthesis, so odd command names parse', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field 3 onwards
  fields[0] = 'R';
  fields[14 - 3] = '1234';
  fields[15 - 3] = '567';
  const text = `4242 (node (worker) x) ${fields.join(' ')}\n`;
  assert.deepEqual(parseProcStat(text), { utime: 1234, stime: 567 });
  assert.throws(() => parseProcStat('garbage'), /format/);
});

test('parseVmRssKb reads VmRSS from /proc/<pid>/status', () => {
  const status = 'Name:\tnode\nVmPeak:\t  900000 kB\nVmRSS:\t   104448 kB\nRssAnon:\t 90000 kB\n';
  assert.equal(parseVmRssKb(status), 104448);
  assert.equal(parseVmRssKb('Name:\tkthreadd\n'), undefined);
});

test('summarize gives median with min and max, for odd and even counts', () => {
  assert.deepEqual(summarize([30, 10, 20]), { median: 20, min: 10, max: 30 });
  assert.deepEqual(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4 });
  assert.deepEqual(summarize([7]), { median: 7, min: 7, max: 7 });
  assert.throws(() => summarize([]));
});

test('cpuMicrosPerRequest and the harness-bound threshold', () => {
  assert.equal(cpuMicrosPerRequest(2, 40000), 50);
  assert.ok(Number.isNaN(cpuMicrosPerRequest(1, 0)));
  assert.equal(isHarnessBound(0.94), true);
  assert.equal(isHarnessBound(0.95), false);
});

test('computeRatio: subject over reference for rps and CPU, efficiency the inverse of CPU', () => {
  const ratio = computeRatio('atrium-full-chain', { rps: 10000, cpuUsPerReq: 100 }, 'nginx-proxy', { rps: 40000, cpuUsPerReq: 20 });
  assert.equal(ratio.rps, 0.25);
  assert.equal(ratio.cpuUsPerReq, 5);
  assert.equal(ratio.efficiency, 0.2);
});

test('computeRatios leaves out pairs with a scenario not measured, and evaluateGoals says so', () => {
  const figures = new Map([
    ['nginx-proxy', { rps: 40000, cpuUsPerReq: 20 }],
    ['bare-undici-proxy', { rps: 10000, cpuUsPerReq: 80 }],
    ['atrium-full-chain', { rps: 9000, cpuUsPerReq: 100 }],
    ['atrium-full-chain-10k', { rps: 8910, cpuUsPerReq: 101 }],
  ]);
  const ratios = computeRatios(figures);
  assert.equal(ratios['bare-undici-proxy vs nginx-proxy'].rps, 0.25);
  assert.equal(ratios['atrium-full-chain vs nginx-proxy'].efficiency, 0.2);
  assert.equal(ratios['atrium-full-chain vs bare-undici-proxy'].cpuUsPerReq, 1.25);
  assert.equal(ratios['atrium-full-chain-10k vs atrium-full-chain'].rps, 0.99);
  assert.equal(ratios['atrium-full-chain-redis vs atrium-full-chain'], undefined);
  const goals = Object.fromEntries(evaluateGoals(ratios).map((g) => [g.name, g]));
  assert.equal(goals['full chain efficiency vs nginx (moonshot 0.22×)'].met, true);
  assert.equal(goals['full chain CPU/request vs the lean bare proxy'].met, false);
  assert.equal(goals['full chain throughput at 10,000 APIs vs 10'].met, true);
  assert.equal(goals['Redis-backed counters throughput vs in-memory'].met, null);
});

test('scenarioReport: medians, total errors, min–max, harness-bound only with a core of its own', () => {
  const rep = (rps: number, cpuUsPerReq: number, busy: number, errors = 0) => ({
    rps, p50Ms: 1, p99Ms: 2, p999Ms: 3, cpuUsPerReq, errors, rssMb: 50, busy, eventLoopMaxMs: 12,
    errorKinds: { connect: 0, read: errors, write: 0, status: 0, timeout: 0 }, bytesPerResponse: 240, requests: rps * 10,
  });
  const heap = { usedMb: 31.5, gcMs: 40, requests: 33000, targets: 10, everyTargetServed: true };
  const outcome: Outcome = { status: 'measured', node: true, ownCore: true, stalledRuns: 0, heap, apis: 15, repetitions: [rep(100, 30, 0.99), rep(120, 25, 0.9, 2), rep(110, 28, 0.98)] };
  const report = scenarioReport('bare-undici-proxy', 'd', outcome);
  assert.equal(report.rps, 110);
  assert.equal(report.cpuUsPerReq, 28);
  assert.deepEqual(report.range?.rps, [100, 120]);
  assert.equal(report.errors, 2);
  assert.equal(report.harnessBound, true);
  assert.equal(report.eventLoopMaxMs, 12);
  assert.equal(report.heapMb, 31.5);
  assert.equal(report.apis, 15);
  assert.equal(report.everyTargetServed, true);
  const direct = scenarioReport('direct', 'd', { ...outcome, node: false, ownCore: false, heap: null, apis: null });
  assert.equal(direct.harnessBound, null);
  assert.equal(direct.eventLoopMaxMs, null);
  assert.equal(direct.heapMb, null);
  const early = scenarioReport('atrium-full-chain-10k', 'd', { ...outcome, heap: { ...heap, targets: 10000, everyTargetServed: false } });
  assert.match(formatTable([early]), /heap read before every API was served/);
});

test('heap per 1,000 APIs: the heap difference over the API difference, only when every API was served', () => {
  const small = { heapMb: 30, apis: 15, everyTargetServed: true };
  const large = { heapMb: 75, apis: 10000, everyTargetServed: true };
  assert.ok(Math.abs(heapPerThousandApis(small, large)! - 45 / 9.985) < 1e-9);
  assert.equal(heapPerThousandApis(small, { ...large, everyTargetServed: false }), null);
  assert.equal(heapPerThousandApis(small, { ...large, heapMb: null }), null);
  assert.equal(heapPerThousandApis(small, { ...large, apis: 15 }), null);
  const met = evaluateHeapGoals(new Map([['atrium-full-chain', small], ['atrium-full-chain-10k', large]]));
  assert.deepEqual(met.map((g) => [g.target, g.met]), [['≤ 5', true]]);
  const notMet = evaluateHeapGoals(new Map([['atrium-full-chain', small], ['atrium-full-chain-10k', { ...large, heapMb: 110 }]]));
  assert.equal(notMet[0].met, false);
  assert.ok(Math.abs(notMet[0].value! - 80 / 9.985) < 1e-9);
  assert.equal(evaluateHeapGoals(new Map([['atrium-full-chain', small]]))[0].met, null);
});

test('ratiosAndGoals takes the heap goal from the two chain scenarios\' reports', () => {
  const outcome = (usedMb: number, apis: number): Outcome => ({
    status: 'measured', node: true, ownCore: true, stalledRuns: 0, apis,
    heap: { usedMb, gcMs: 50, requests: 50000, targets: apis, everyTargetServed: true },
    repetitions: [{ rps: 5000, p50Ms: 1, p99Ms: 2, p999Ms: 3, cpuUsPerReq: 190, errors: 0, rssMb: 90, busy: 1, eventLoopMaxMs: 5, errorKinds: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 }, bytesPerResponse: 240, requests: 50000 }],
  });
  const { goals } = ratiosAndGoals([scenarioReport('atrium-full-chain', 'd', outcome(28, 15)), scenarioReport('atrium-full-chain-10k', 'd', outcome(101, 10000))]);
  const heap = goals.find((g) => g.name.startsWith('heap per 1,000 APIs'))!;
  assert.equal(heap.met, false);
  assert.equal(heap.value!.toFixed(2), '7.31');
});

test('a scenario not available yet has a reason and no figures, in the JSON and in the table', () => {
  const report = scenarioReport('atrium-key', 'd', { status: 'unavailable', reason: 'the gateway is not built' });
  assert.equal(report.rps, null);
  assert.equal(report.cpuUsPerReq, null);
  assert.equal(report.reason, 'the gateway is not built');
  assert.match(formatTable([report]), /atrium-key\s+not available yet: the gateway is not built/);
  assert.deepEqual(ratiosAndGoals([report]).ratios, {});
});

test('the scenarios of latest.json are exactly the names of the issue', () => {
  // Extra Atrium measurements (the ten-policy chains) are variants, reported beside the scenarios.
  const names = [...referenceScenarios, ...atriumScenarioSpecs.filter((s) => !s.variant)].map((s) => s.name);
  assert.deepEqual(names.sort(), [
    'atrium-64k', 'atrium-full-chain', 'atrium-full-chain-10k', 'atrium-full-chain-1k', 'atrium-full-chain-redis',
    'atrium-key', 'atrium-limits', 'atrium-passthrough', 'atrium-post-4k',
    'bare-undici-proxy', 'direct', 'nginx-proxy', 'node-hello',
  ]);
  assert.ok(variantScenarios.every((s) => s.kind === 'variant'));
  assert.deepEqual(atriumScenarioSpecs.filter((s) => s.variant).map((s) => s.name), ['atrium-ten-policies', 'atrium-ten-policies-open']);
});

test('checkTools names what is missing and the one apt-get line that brings it', () => {
  const check = checkTools((name) => (name === 'taskset' ? '/usr/bin/taskset' : undefined));
  assert.equal(check.ok, false);
  if (!check.ok) {
    assert.deepEqual(check.missing, ['nginx', 'wrk']);
    assert.equal(check.installLine, 'apt-get install -y nginx wrk');
  }
  assert.equal(aptInstallLine(['taskset']), 'apt-get install -y util-linux');
  const ok = checkTools((name) => `/usr/bin/${name}`);
  assert.equal(ok.ok, true);
});

test('seedPlan: workspaces and links before APIs, one key per key-checked API, chain spread over workspaces', () => {
  const plan = seedPlan(deployments['10k'], 'http://127.0.0.1:9', 'salt');
  const [workspaces, apis, children, links] = plan.phases;
  assert.equal(workspaces.length, 30);
  assert.equal(links.length, 30);
  assert.ok(links.every((l) => l.path.startsWith('/gateways/managed/workspaceLinks/bench-chain-')));
  // The chain APIs and the open passthrough API every deployment serves (the calibration request of a pair across deployments).
  assert.equal(apis.length, 10001);
  assert.deepEqual(plan.targets.passthrough, [{ path: '/passthrough', key: '' }]);
  assert.ok(apis.some((a) => a.path === '/apis/passthrough'));
  assert.equal(plan.targets.chain.length, 10000);
  assert.equal(new Set(plan.targets.chain.map((t) => t.key)).size, 10000);
  const workspacePolicies = children.filter((c) => /^\/workspaces\/[^/]+\/policies\/policy$/.test(c.path));
  assert.equal(workspacePolicies.length, 30);
  assert.deepEqual(workspacePolicies[0].body, { properties: { format: 'rawxml', value: fullChainPolicy } });

  const small = seedPlan(deployments.small, 'http://127.0.0.1:9', 'salt');
  assert.deepEqual(small.targets.passthrough, [{ path: '/passthrough', key: '' }]);
  assert.equal(small.targets.key[0].key, benchKey('sub-key', 'salt'));
  assert.equal(small.targets.chain.length, 10);
  const subscription = small.phases[2].find((c) => c.path === '/workspaces/bench-basic/subscriptions/sub-limits');
  assert.deepEqual((subscription?.body as { properties: { scope: string } }).properties.scope, '/apis/limits');
});

test('atriumLoad: fixed request with the key header, or random targets for the chain', () => {
  const small = seedPlan(deployments.small, 'http://127.0.0.1:9', 'salt');
  const spec = (name: string) => atriumScenarioSpecs.find((s) => s.name === name)!;
  assert.deepEqual(atriumLoad(spec('atrium-64k'), small.targets.passthrough, '/unused'), { method: 'GET', path: '/passthrough/64k' });
  const key = atriumLoad(spec('atrium-key'), small.targets.key, '/unused');
  assert.deepEqual(key.headers, { 'Ocp-Apim-Subscription-Key': benchKey('sub-key', 'salt') });
  assert.equal(atriumLoad(spec('atrium-post-4k'), small.targets.passthrough, '/unused').bodyBytes, 4096);
});

test('parseEventLoopLine and parseHeapLine read only their probe line', () => {
  assert.deepEqual(parseEventLoopLine('BENCH_EVENT_LOOP {"maxMs":12.5,"p99Ms":10.1}'), { maxMs: 12.5, p99Ms: 10.1 });
  assert.deepEqual(parseEventLoopLine('BENCH_EVENT_LOOP {"maxMs":12.5,"p99Ms":10.1,"ownMaxMs":3.5}'), { maxMs: 12.5, p99Ms: 10.1, ownMaxMs: 3.5 });
  assert.equal(parseEventLoopLine('listening on 8000'), undefined);
  assert.deepEqual(parseHeapLine('BENCH_HEAP {"usedMb":101.5,"gcMs":80}'), { usedMb: 101.5, gcMs: 80 });
  assert.equal(parseHeapLine('BENCH_EVENT_LOOP {"maxMs":12.5,"p99Ms":10.1}'), undefined);
});

test('seeded stores: the key follows the plan and the store-shaping code, and a saved folder comes back', () => {
  const root = mkdtempSync(join(tmpdir(), 'bench-seed-cache-'));
  try {
    mkdirSync(join(root, 'src', 'store'), { recursive: true });
    mkdirSync(join(root, 'src', 'gateway'), { recursive: true });
    writeFileSync(join(root, 'src', 'store', 'store.ts'), 'v1');
    writeFileSync(join(root, 'src', 'gateway', 'router.ts'), 'v1');
    const before = sourceHash(root);
    writeFileSync(join(root, 'src', 'gateway', 'router.ts'), 'v2');
    writeFileSync(join(root, 'src', 'store', 'store.test.ts'), 'any');
    assert.equal(sourceHash(root), before, 'gateway code and tests do not shape the store');
    writeFileSync(join(root, 'src', 'store', 'store.ts'), 'v2');
    assert.notEqual(sourceHash(root), before);

    const plan = seedPlan(deployments.small, 'http://127.0.0.1:18180', 'atrium-bench');
    const key = seedCacheKey('small', plan, before);
    assert.equal(key, seedCacheKey('small', seedPlan(deployments.small, 'http://127.0.0.1:18180', 'atrium-bench'), before));
    assert.notEqual(key, seedCacheKey('small', seedPlan(deployments.small, 'http://127.0.0.1:18181', 'atrium-bench'), before));

    const cache = join(root, 'cache');
    const seeded = join(root, 'seeded');
    mkdirSync(cache);
    mkdirSync(seeded);
    writeFileSync(join(seeded, 'atrium.db'), 'rows');
    assert.equal(restoreSeeded(cache, key, join(root, 'miss')), undefined);
    saveSeeded(cache, key, seeded, 'admin-key');
    const restored = join(root, 'restored');
    assert.equal(restoreSeeded(cache, key, restored), 'admin-key');
    assert.equal(readFileSync(join(restored, 'atrium.db'), 'utf8'), 'rows');
    // Restored again over a folder a gateway used: nothing of it is left beside the copy.
    writeFileSync(join(restored, 'atrium.db'), 'rows and request logs');
    writeFileSync(join(restored, 'atrium.db-wal'), 'frames of that database');
    assert.equal(restoreSeeded(cache, key, restored), 'admin-key');
    assert.deepEqual(readdirSync(restored), ['atrium.db']);
    assert.equal(readFileSync(join(restored, 'atrium.db'), 'utf8'), 'rows');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('reload goals: live within 100 ms, no block over 10 ms of the gateway\'s own work, no failed request; a change never live fails', () => {
  const measured: ReloadReport = {
    status: 'measured', loadRate: 500, liveMs: 40, liveRange: [30, 60], errors: 0, eventLoopMaxMs: 12, eventLoopOwnMaxMs: 11, floorEventLoopMaxMs: 9,
    repetitions: [{ liveMs: 40, errors: 0, eventLoopMaxMs: 12, eventLoopOwnMaxMs: 11, floorMaxMs: 9 }],
  };
  assert.deepEqual(reloadGoals(measured).map((g) => g.met), [true, false, true]);
  assert.equal(reloadGoals(measured)[1].value, 11, 'judged on the block the gateway\'s own CPU time accounts for');
  // A long block of the host's (the idle process saw it too) with little of the gateway's own work in it.
  assert.deepEqual(reloadGoals({ ...measured, eventLoopMaxMs: 25, eventLoopOwnMaxMs: 4, floorEventLoopMaxMs: 22 }).map((g) => g.met), [true, true, true]);
  assert.match(formatReload(measured), /live in 40\.0 ms, 0 failed requests, gateway event-loop max 12\.0 ms \(its own work 11\.0 ms; an idle Node process on its core 9\.0 ms\)/);
  const neverLive = { ...measured, liveMs: null, reason: '1 change(s) not live within 10 s' };
  assert.equal(reloadGoals(neverLive)[0].met, false);
  const unavailable: ReloadReport = {
    status: 'unavailable', reason: 'the gateway is not built', loadRate: 500, liveMs: null, errors: null,
    eventLoopMaxMs: null, eventLoopOwnMaxMs: null, floorEventLoopMaxMs: null, repetitions: [],
  };
  assert.deepEqual(reloadGoals(unavailable).map((g) => g.met), [null, null, null]);
  assert.equal(formatReload(unavailable), 'reload  not available yet: the gateway is not built');
});

test('a block counts as the process\'s own work only as far as its CPU time covers it', () => {
  assert.equal(ownBlockMs(16, 1, 15), 15, 'busy the whole time: all of the delay');
  assert.equal(ownBlockMs(16, 1, 2), 2, 'descheduled: only the CPU time it used');
  assert.equal(ownBlockMs(16, 1, 40), 15, 'never more than the delay (threads on other cores)');
  assert.equal(ownBlockMs(1.02, 1, 0.5), 0.020000000000000018);
  assert.equal(ownBlockMs(0.9, 1, 0.5), 0, 'an early tick is no block');
});

// --- the paired phase ---------------------------------------------------------------------------

const side = (rps: number, cpuUsPerReq: number, busy = 1, errors = 0): RoundFigures => ({ rps, cpuUsPerReq, p99Ms: 2, errors, busy });

test('paired rounds alternate which side goes first: reference, subject; subject, reference; …', () => {
  const order = [0, 1, 2, 3].flatMap((round) => roundOrder(round));
  assert.deepEqual(order, ['reference', 'subject', 'subject', 'reference', 'reference', 'subject', 'subject', 'reference']);
});

test('a pair: one ratio per round, then the median and min–max of the rounds\' ratios', () => {
  const rounds = [
    pairRound('reference', side(9000, 110), side(10000, 100)),
    pairRound('subject', side(8000, 120), side(10000, 100)),
    pairRound('reference', side(9500, 105), side(10000, 100)),
  ];
  assert.equal(rounds[0].rps, 0.9);
  assert.ok(Math.abs(rounds[0].cpuUsPerReq! - 1.1) < 1e-12);
  assert.ok(Math.abs(rounds[0].efficiency! - 100 / 110) < 1e-12);
  const report = pairReport('atrium-ten-policies', 'atrium-key', rounds, 1);
  assert.equal(report.status, 'measured');
  assert.equal(report.rps, 0.9);
  assert.deepEqual(report.range?.rps, [0.8, 0.95]);
  assert.ok(Math.abs(report.cpuUsPerReq! - 1.1) < 1e-12);
  assert.deepEqual(report.range?.cpuUsPerReq?.map((v) => v.toFixed(2)), ['1.05', '1.20']);
  assert.ok(Math.abs(report.efficiency! - 100 / 110) < 1e-12);
  assert.equal(report.rounds.length, 3);
  assert.deepEqual(report.rounds.map((r) => r.first), ['reference', 'subject', 'reference']);
  const line = formatPaired({ 'atrium-ten-policies vs atrium-key': report });
  assert.match(line, /req\/s 0\.90× \(0\.80–0\.95\)\s+CPU\/req 1\.10× \(1\.05–1\.20\)\s+3 rounds, 1 stalled run repeated$/);
});

test('a goal with a paired measurement is evaluated on it, the sequential ratio reported beside it', () => {
  const sequential = computeRatios(new Map([
    ['atrium-key', { rps: 10000, cpuUsPerReq: 100 }],
    ['atrium-ten-policies', { rps: 8000, cpuUsPerReq: 125 }],
    ['atrium-passthrough', { rps: 11000, cpuUsPerReq: 90 }],
    ['atrium-ten-policies-open', { rps: 9000, cpuUsPerReq: 108 }],
  ]));
  const paired = { 'atrium-ten-policies vs atrium-key': pairReport('atrium-ten-policies', 'atrium-key', [pairRound('reference', side(9400, 105), side(10000, 100))]) };
  const outcomes = Object.fromEntries(evaluateGoals(sequential, paired).map((g) => [g.name, g]));
  const ten = outcomes['ten-policy inbound chain CPU/request vs the key check alone'];
  assert.equal(ten.source, 'paired');
  assert.equal(ten.value, 1.05);
  assert.equal(ten.met, true);
  assert.equal(ten.sequentialValue, 1.25);
  const open = outcomes['ten-policy chain on an open API, CPU/request vs passthrough'];
  assert.equal(open.source, 'sequential');
  assert.equal(open.value, 1.2);
  assert.equal(open.met, false);
  const noFigures = outcomes['Redis-backed counters throughput vs in-memory'];
  assert.deepEqual([noFigures.value, noFigures.met, noFigures.sequentialValue], [null, null, null]);
  assert.match(formatGoals([ten, open]), /1\.05  met\s+paired; sequential 1\.25\n.*1\.20  NOT MET$/);
});

test('the 10,000-API goal reports the lean gateway ratio beside its own: paired when measured so, else sequential', () => {
  const goal = ratioGoals.find((g) => g.name === 'full chain throughput at 10,000 APIs vs 10')!;
  const sequential = computeRatios(new Map([
    ['atrium-full-chain', { rps: 10000, cpuUsPerReq: 100 }],
    ['atrium-full-chain-10k', { rps: 8500, cpuUsPerReq: 118 }],
    ['lean-gateway', { rps: 20000, cpuUsPerReq: 50 }],
    ['lean-gateway-10k', { rps: 19000, cpuUsPerReq: 52 }],
  ]));
  const leanPaired = pairReport('lean-gateway-10k', 'lean-gateway', [pairRound('reference', side(18800, 53), side(20000, 50))]);
  const [withPair] = evaluateGoals(sequential, { 'lean-gateway-10k vs lean-gateway': leanPaired }, [goal]);
  assert.deepEqual(withPair.floor, { label: 'lean gateway', value: 0.94 });
  assert.equal(withPair.value, 0.85);
  assert.equal(withPair.met, false);
  assert.match(formatGoals([withPair]), /0\.85  NOT MET\s+lean gateway 0\.94$/);
  const [sequentialOnly] = evaluateGoals(sequential, {}, [goal]);
  assert.deepEqual(sequentialOnly.floor, { label: 'lean gateway', value: 0.95 });
  // A lean pair that does not count falls back to its sequential ratio; a goal without a floor prints none.
  const [unsteady] = evaluateGoals(sequential, { 'lean-gateway-10k vs lean-gateway': leanPaired }, [goal], { 'lean-gateway-10k vs lean-gateway': 'pair not counted' });
  assert.equal(unsteady.floor?.value, 0.95);
  const [unmeasured] = evaluateGoals({}, {}, [goal]);
  assert.match(formatGoals([unmeasured]), /not measured\s+lean gateway –$/);
  const redis = ratioGoals.find((g) => g.name === 'Redis-backed counters throughput vs in-memory')!;
  assert.equal(evaluateGoals(sequential, {}, [redis])[0].floor, undefined);
});

test('the lean gateway targets: the 10-API set is the start of the 10,000-API one, with distinct keys, so their first target calibrates the pair', () => {
  const small = leanTargets(10);
  const large = leanTargets(10_000);
  assert.deepEqual(large.slice(0, 10), small);
  assert.equal(large[9999].path, '/chain-10000/hello');
  assert.ok(large.every((t) => /^[0-9a-f]{32}$/.test(t.key)));
  assert.equal(new Set(large.map((t) => t.key)).size, 10_000);
  assert.equal(new Set(large.map((t) => t.path.split('/')[1])).size, 10_000);
});

test('ratiosAndGoals: a pair that failed or was not available leaves its goal on the sequential ratio', () => {
  const outcome = (rps: number): Outcome => ({
    status: 'measured', node: true, ownCore: true, stalledRuns: 0, apis: 15, heap: null,
    repetitions: [{ rps, p50Ms: 1, p99Ms: 2, p999Ms: 3, cpuUsPerReq: 100, errors: 0, rssMb: 90, busy: 1, eventLoopMaxMs: 5, errorKinds: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 }, bytesPerResponse: 240, requests: rps * 10 }],
  });
  const reports = [scenarioReport('atrium-full-chain', 'd', outcome(10000)), scenarioReport('atrium-full-chain-redis', 'd', outcome(7000))];
  const key = 'atrium-full-chain-redis vs atrium-full-chain';
  const goalOf = (paired: Parameters<typeof ratiosAndGoals>[1]) => ratiosAndGoals(reports, paired).goals.find((g) => g.name === 'Redis-backed counters throughput vs in-memory')!;
  const failed = goalOf({ [key]: pairNotMeasured('atrium-full-chain-redis', 'atrium-full-chain', 'failed', 'atrium gateway exited during the pair') });
  assert.deepEqual([failed.source, failed.value, failed.met], ['sequential', 0.7, false]);
  const measured = goalOf({ [key]: pairReport('atrium-full-chain-redis', 'atrium-full-chain', [pairRound('subject', side(8500, 100), side(10000, 100))]) });
  assert.deepEqual([measured.source, measured.value, measured.met, measured.sequentialValue], ['paired', 0.85, true, 0.7]);
  const unavailable = pairNotMeasured('atrium-full-chain-redis', 'atrium-full-chain', 'unavailable', 'atrium-full-chain-redis: no Redis at redis://127.0.0.1:6379');
  assert.match(formatPaired({ [key]: unavailable }), /atrium-full-chain-redis vs atrium-full-chain\s+not available: atrium-full-chain-redis: no Redis/);
});

test('pairs run only when both their scenarios are selected', () => {
  const selected = new Set(['atrium-passthrough', 'atrium-ten-policies-open', 'atrium-full-chain', 'atrium-ten-policies']);
  assert.deepEqual(selectPairs(pairedRatioPairs, (name) => selected.has(name)), [
    ['atrium-ten-policies-open', 'atrium-passthrough'],
  ]);
  selected.add('atrium-full-chain-redis');
  assert.deepEqual(selectPairs(pairedRatioPairs, (name) => selected.has(name)), [
    ['atrium-full-chain-redis', 'atrium-full-chain'],
    ['atrium-ten-policies-open', 'atrium-passthrough'],
  ]);
  assert.equal(selectPairs(pairedRatioPairs, () => true).length, pairedRatioPairs.length);
});

test('every goal between two Atrium scenarios is measured in pairs, then the floors beside goals, and only those; the pairs across deployments first', () => {
  const deploymentOf = new Map(atriumScenarioSpecs.map((s) => [s.name, s.deployment]));
  const betweenAtrium = ratioGoals
    .map((g) => g.ratio.split(' vs '))
    .filter(([subject, reference]) => deploymentOf.has(subject) && deploymentOf.has(reference))
    .map(([subject, reference]) => `${subject} vs ${reference}`);
  assert.deepEqual(betweenAtrium.length, 4);
  const floors = ratioGoals.flatMap((g) => (g.floor === undefined ? [] : [g.floor.ratio]));
  assert.deepEqual(floors, ['lean-gateway-10k vs lean-gateway']);
  const pairs = pairedRatioPairs.map(([subject, reference]) => `${subject} vs ${reference}`);
  assert.deepEqual(new Set(pairs), new Set([...betweenAtrium, ...floors]));
  assert.deepEqual(pairs.slice(-floors.length), floors);
  const across = pairedRatioPairs.slice(0, betweenAtrium.length).map(([subject, reference]) => deploymentOf.get(subject) !== deploymentOf.get(reference));
  assert.deepEqual(across, [true, true, false, false]);
  // The floor's two sides are scenarios the harness knows, reported under `variants`.
  for (const name of floors[0].split(' vs ')) assert.equal(variantScenarios.find((s) => s.name === name)?.kind, 'variant');
});

test('ratiosAndGoals: a pair whose gateway ran far slower than in its scenarios does not count for its goal', () => {
  const outcome = (rps: number, cpuUsPerReq: number): Outcome => ({
    status: 'measured', node: true, ownCore: true, stalledRuns: 0, apis: 15, heap: null,
    repetitions: [{ rps, p50Ms: 1, p99Ms: 2, p999Ms: 3, cpuUsPerReq, errors: 0, rssMb: 90, busy: 1, eventLoopMaxMs: 5, errorKinds: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 }, bytesPerResponse: 240, requests: rps * 10 }],
  });
  const reports = [scenarioReport('atrium-key', 'd', outcome(9000, 110)), scenarioReport('atrium-ten-policies', 'd', outcome(8500, 118))];
  const key = 'atrium-ten-policies vs atrium-key';
  const goalName = 'ten-policy inbound chain CPU/request vs the key check alone';
  // Rounds at about its scenarios' figures: counted.
  const steady = pairReport('atrium-ten-policies', 'atrium-key', [pairRound('reference', side(8400, 120), side(9000, 112)), pairRound('subject', side(8300, 121), side(9100, 110))]);
  const counted = ratiosAndGoals(reports, { [key]: steady }).goals.find((g) => g.name === goalName)!;
  assert.equal(counted.source, 'paired');
  assert.equal(counted.met, true);
  assert.equal(steady.unsteady, undefined);
  // Rounds at three to four times its scenarios' CPU per request: not counted, and said so.
  const slow = pairReport('atrium-ten-policies', 'atrium-key', [pairRound('reference', side(2300, 430), side(2600, 380)), pairRound('subject', side(2400, 420), side(2700, 370))]);
  const skipped = ratiosAndGoals(reports, { [key]: slow }).goals.find((g) => g.name === goalName)!;
  assert.deepEqual([skipped.value, skipped.met], [null, null]);
  assert.match(skipped.note ?? '', /far slower than in its scenarios/);
  assert.match(slow.unsteady ?? '', /atrium-ten-policies 425\.0 µs\/req against 118\.0 in its scenario; atrium-key 375\.0 µs\/req against 110\.0/);
  assert.match(formatGoals([skipped]), /not measured\s+pair not counted: the gateway ran far slower than in its scenarios; sequential 1\.07$/);
  assert.match(formatPaired({ [key]: slow }), /\n {4}not counted for goals: the gateway ran far slower/);
});

test('a pair across deployments: two gateways count as alike within the tolerance either way, and the report says what was restarted', () => {
  assert.equal(processesMatch(1), true);
  assert.equal(processesMatch(MATCH_TOLERANCE), true);
  assert.equal(processesMatch(1 / MATCH_TOLERANCE), true);
  assert.equal(processesMatch(MATCH_TOLERANCE * 1.01), false);
  assert.equal(processesMatch(1 / (MATCH_TOLERANCE * 1.01)), false);
  assert.equal(processesMatch(1.75), false);

  const key = 'atrium-full-chain-10k vs atrium-full-chain';
  const rounds = [pairRound('reference', side(9000, 110), side(10000, 100))];
  const report = {
    ...pairReport('atrium-full-chain-10k', 'atrium-full-chain', rounds),
    calibration: [
      { cpuUsPerReq: 0.57, range: [0.55, 0.6] as [number, number], restarted: 'reference' as const },
      { cpuUsPerReq: 1.03, range: [0.99, 1.05] as [number, number] },
    ],
  };
  assert.equal(formatCalibration(report), "two gateways, the same request 1.03× (0.99–1.05) on the subject's, after restarting atrium-full-chain's gateway (checks: 0.57×, 1.03×)");
  assert.match(formatPaired({ [key]: report }), /\n {4}two gateways, the same request 1\.03×/);
  const plain = { ...pairReport('atrium-full-chain-10k', 'atrium-full-chain', rounds), calibration: [{ cpuUsPerReq: 0.98, range: [0.97, 1.01] as [number, number] }] };
  assert.equal(formatCalibration(plain), "two gateways, the same request 0.98× (0.97–1.01) on the subject's");
});

test('the memory latency probe chains every cache line once per turn, whatever the order', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  for (const lines of [2, 3, 100, 4096]) {
    const next = chainOfLines(lines, random);
    const seen = new Set<number>();
    let at = 0;
    for (let i = 0; i < lines; i++) {
      assert.equal(at % 16, 0, 'each step starts a cache line');
      seen.add(at);
      at = next[at];
    }
    assert.equal(seen.size, lines);
    assert.equal(at, 0, 'back at the start after one turn');
  }
});

test('the memory latency probe measures a time per load for a small and a large working set', () => {
  for (const bytes of [64 << 10, 8 << 20]) {
    const ns = dependentLoadNs(bytes, 200_000, 1);
    assert.ok(Number.isFinite(ns) && ns > 0 && ns < 10_000, `${bytes} bytes: ${ns} ns`);
  }
});

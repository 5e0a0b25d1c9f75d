// `npm run bench [-- --quick] [-- --only name,name] [-- --no-pairs]`: measures Atrium against nginx
// and a bare Node proxy in one run. See bench/README.md for the method and how to read the figures.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createAtriumScenarios } from './atrium.ts';
import { backendConfig, startNginx } from './nginx.ts';
import { fullPlan, measureScenario, quickPlan } from './measure.ts';
import { preferredPort, stopAllChildren, waitForPort } from './processes.ts';
import type { OwnedChild } from './processes.ts';
import { dependentLoadNs } from './memory-latency.ts';
import { formatPaired, measurePair, selectPairs } from './pairs.ts';
import type { PairReport } from './pairs.ts';
import { formatGoals, formatRatios, formatTable, ratiosAndGoals, scenarioReport } from './report.ts';
import type { ResultsDocument, ScenarioReport } from './report.ts';
import { formatReload, measureReload, reloadGoals } from './reload.ts';
import type { ReloadReport } from './reload.ts';
import { referenceScenarios, variantScenarios } from './scenarios.ts';
import type { RunContext } from './scenarios.ts';
import { pairedRatioPairs, ratioKey } from './stats.ts';
import { checkTools } from './tools.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    atrium: { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'no-pairs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (options.help) {
  console.log(`npm run bench [-- --quick] [-- --only direct,nginx-proxy,...]
  --quick  every scenario once with short warm-ups (figures for a quick look, not for claims)
  --only   run only the named scenarios (comma-separated)
  --atrium the checkout whose gateway the Atrium scenarios run (default: this one)
  --fresh  seed every Atrium deployment through the management API, ignoring seeded stores kept
           from earlier runs on the same code (bench/results/seed-cache/)
  --no-pairs skip the paired phase (Atrium scenarios compared by a goal, measured again in
           alternation after the others; see bench/README.md)`);
  process.exit(0);
}

const check = checkTools();
if (!check.ok) {
  const names = check.missing.length > 1 ? `${check.missing.slice(0, -1).join(', ')} and ${check.missing.at(-1)}` : check.missing[0];
  console.error(`npm run bench needs ${names}, which ${check.missing.length > 1 ? 'are' : 'is'} not installed. Install with:\n\n  ${check.installLine}\n`);
  process.exit(1);
}
const tools = check.tools;

if (availableParallelism() < 2) {
  console.error('npm run bench needs at least 2 cores: one for the process under test, one for wrk and the backend.');
  process.exit(1);
}

function versionOf(command: string, args: string[]): string {
  try {
    const result = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return result.split('\n')[0].trim();
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    return stderr.split('\n')[0].trim() || 'unknown';
  }
}

function nginxVersion(): string {
  const output = execFileSync(tools.nginx, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return output.trim() || versionOf(tools.nginx, ['-v']);
}

const plan = options.quick ? quickPlan : fullPlan;
const only = options.only ? new Set(options.only.split(',').map((s) => s.trim()).filter(Boolean)) : undefined;
const log = (line: string) => console.error(line);
const atrium = createAtriumScenarios(log);
const all = [...referenceScenarios, ...variantScenarios, ...atrium.scenarios];
const reloadName = 'atrium-reload';
if (only) {
  const unknown = [...only].filter((name) => name !== reloadName && !all.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
    process.exit(1);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'atrium-bench-'));
let backend: OwnedChild | undefined;
let cleaningUp: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    await atrium.close().catch(() => {});
    await backend?.stop().catch(() => {});
    await stopAllChildren();
    rmSync(dir, { recursive: true, force: true });
  })();
  return cleaningUp;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the processes of this run`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let interrupted = false;

async function main(): Promise<number> {
  const startedAt = Date.now();
  const gatewayCpu = Number(process.env.BENCH_GATEWAY_CPU ?? 0);
  const loadCpu = Number(process.env.BENCH_LOAD_CPU ?? 1);
  // A stable backend port keeps the seed plan (whose service URLs name it) the same from run to run.
  const backendPort = await preferredPort(Number(process.env.BENCH_BACKEND_PORT ?? 18180));
  backend = startNginx({
    name: 'backend',
    nginxPath: tools.nginx,
    tasksetPath: tools.taskset,
    cpu: loadCpu,
    dir,
    config: backendConfig(dir, backendPort),
  });
  await waitForPort(backend, backendPort);
  // The harness itself (idle while wrk runs, busy while seeding) stays off the measured core.
  execFileSync(tools.taskset, ['-a', '-p', '-c', String(loadCpu), String(process.pid)], { stdio: 'ignore' });
  const context: RunContext = {
    tools,
    dir,
    root,
    atriumRoot: options.atrium ? resolve(options.atrium) : root,
    gatewayCpu,
    loadCpu,
    backend,
    backendPort,
    seedCache: options.fresh ? undefined : join(benchDir, 'results', 'seed-cache'),
    probeImport: pathToFileURL(join(benchDir, 'event-loop-probe.ts')).href,
  };

  log(`Atrium benchmark (${options.quick ? 'quick' : 'full'}): process under test on core ${gatewayCpu}, wrk and backend on core ${loadCpu}`);
  log(`warm-up ${plan.warmUpSeconds.node} s (Node) / ${plan.warmUpSeconds.native} s (nginx), ${plan.repetitions} × ${plan.measureSeconds} s, ${plan.connections} connections; pairs in ${plan.rounds} round${plan.rounds === 1 ? '' : 's'}`);
  // Measured by the harness on its own core, before any load: the same memory for both cores.
  const memory = { cachedNs: dependentLoadNs(1 << 20), uncachedNs: dependentLoadNs(64 << 20) };
  log(`memory: a dependent load takes ${memory.cachedNs.toFixed(1)} ns within 1 MB, ${memory.uncachedNs.toFixed(1)} ns across 64 MB`);
  const reports: ScenarioReport[] = [];
  const variants: ScenarioReport[] = [];
  for (const scenario of all) {
    if (interrupted) break;
    if (only && !only.has(scenario.name)) continue;
    log(`${scenario.name} — ${scenario.description}`);
    const outcome = await measureScenario(context, scenario, plan, log);
    if (outcome.status !== 'measured') log(`  ${outcome.status === 'unavailable' ? 'not available yet' : 'FAILED'}: ${outcome.reason}`);
    (scenario.kind === 'variant' ? variants : reports).push(scenarioReport(scenario.name, scenario.description, outcome));
  }
  // Scenarios compared by a goal, measured again side by side in alternation: the host's drift
  // between two scenarios measured minutes apart cancels out of their ratio.
  const paired: Record<string, PairReport> = {};
  if (!options['no-pairs']) {
    const byName = new Map(all.map((scenario) => [scenario.name, scenario]));
    for (const [subject, reference] of selectPairs(pairedRatioPairs, (name) => byName.has(name) && (!only || only.has(name)))) {
      if (interrupted) break;
      const key = ratioKey(subject, reference);
      log(`${key} — in alternation, ${plan.rounds} round${plan.rounds === 1 ? '' : 's'}`);
      const report = await measurePair(context, { subject: byName.get(subject)!, reference: byName.get(reference)! }, plan, log);
      if (report.status !== 'measured') log(`  ${report.status === 'unavailable' ? 'not available' : 'FAILED'}: ${report.reason}`);
      paired[key] = report;
    }
  }
  let reload: ReloadReport | undefined;
  if (!interrupted && (!only || only.has(reloadName))) {
    log(`${reloadName} — one API change under paced load`);
    reload = await measureReload(context, atrium, plan, log);
    if (reload.status !== 'measured') log(`  ${reload.status === 'unavailable' ? 'not available yet' : 'FAILED'}: ${reload.reason}`);
  }

  const { ratios, goals: ratioGoals } = ratiosAndGoals([...reports, ...variants], paired);
  const goals = reload ? [...ratioGoals, ...reloadGoals(reload)] : ratioGoals;
  const cpu = cpus()[0];
  const document: ResultsDocument = {
    generatedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: {
      cpuModel: cpu?.model ?? 'unknown',
      cores: availableParallelism(),
      kernel: release(),
      node: process.version,
      nginx: nginxVersion(),
      wrk: versionOf(tools.wrk, ['--version']).replace(/\s+Copyright.*$/, ''),
      dependentLoadNsWithin1MB: Math.round(memory.cachedNs * 10) / 10,
      dependentLoadNsAcross64MB: Math.round(memory.uncachedNs * 10) / 10,
    },
    plan: { ...plan, gatewayCpu, loadCpu },
    scenarios: reports,
    variants,
    reload: reload ?? null,
    ratios,
    paired,
    goals,
  };

  if (reports.length > 0) console.log(`\n${formatTable(reports)}`);
  if (variants.length > 0) {
    console.log('\nReferences for the 64 KiB response and 4 KiB POST scenarios:');
    console.log(formatTable(variants));
  }
  if (reload) console.log(`\n${formatReload(reload)}`);
  console.log('\nRatios (subject vs reference, same run):');
  console.log(formatRatios(ratios));
  if (Object.keys(paired).length > 0) {
    console.log('\nPaired ratios (subject and reference measured in alternation):');
    console.log(formatPaired(paired));
  }
  console.log('\nGoals:');
  console.log(formatGoals(goals));
  if (options.quick) console.log('\nQuick run: one short repetition each — figures for a quick look, not for claims.');

  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, 'latest.json');
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
  console.log(`\nWritten: ${file} (run took ${Math.round((Date.now() - startedAt) / 1000)} s)`);
  return [...reports, ...variants, ...Object.values(paired), ...(reload ? [reload] : [])].some((r) => r.status === 'failed') ? 1 : 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error);
} finally {
  await cleanUp();
}
process.exit(exitCode);

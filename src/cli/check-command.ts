/** `storbench check`: the conformance behaviors against any target, so a cluster can be trusted first. */
import { readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { behaviors, runBehavior } from '../conformance/behaviors.js';
import { parseTarget, type Target } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { textTable } from '../report/format.js';
import { openDriver } from '../runner/open-driver.js';
import { type Command, parseFlags } from './command.js';
import { terminalWidth } from './terminal.js';

/** Where the behaviors write in a target. */
const CHECK_DIR = 'storbench-check';

/**
 * A file:// root must exist: `check` trusts a file system that is there (a mount), and creating a missing
 * root would check whatever file system holds its parent instead (an NFS export not mounted: the local
 * disk). `run` does create it, as the file:// driver documents.
 */
function checkRoot(target: Target): void {
  if (target.scheme !== 'file' || target.path === '') return;
  let isDirectory = false;
  try {
    isDirectory = statSync(target.path).isDirectory();
  } catch {
    // missing: refused below
  }
  if (!isDirectory)
    throw new UsageError(`check: ${target.redacted}: no directory ${target.path} (check tests a file system that is there: mount or create it first)`);
}

/**
 * Remove the empty directories under `dir`, `dir` too when it ends up empty: what the behaviors leave on a
 * file system once their files are gone (hash buckets of keys beside their prefixes). A directory with
 * anything in it (another check still running) stays.
 */
function removeEmptyDirs(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeEmptyDirs(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or gone already
  }
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'run the conformance behaviors against a target and show its capabilities',
  usage: `usage: storbench check --target URL [--json]
  Writes only under ${CHECK_DIR}/<random>/ in the target and removes what it wrote (on file://, the
  directories too). A file:// root must exist.`,
  async run(argv) {
    const { values } = parseFlags('check', argv, { target: { type: 'string' }, json: { type: 'boolean' } });
    if (!values.target) throw new UsageError('check: --target is required');
    const target = parseTarget(values.target);
    checkRoot(target);
    const driver = await openDriver(target, 16);
    try {
      const outcomes = [];
      for (const b of behaviors) {
        const o = await runBehavior(driver, b);
        outcomes.push(o);
        if (!values.json) process.stderr.write(`${o.status === 'pass' ? '.' : o.status === 'skip' ? 's' : 'F'}`);
      }
      const failed = outcomes.filter((o) => o.status === 'fail').length;
      if (values.json) {
        console.log(
          JSON.stringify({ target: target.redacted, system: driver.system(), capabilities: driver.capabilities, semantics: driver.semantics(), outcomes }),
        );
      } else {
        process.stderr.write('\n');
        console.log(`${target.redacted}: ${driver.system()}`);
        console.log(
          `capabilities: ${Object.entries(driver.capabilities)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ')}`,
        );
        console.log(
          textTable(
            ['behavior', 'result', 'ms', 'detail'],
            outcomes.map((o) => [o.name, o.status.toUpperCase(), o.ms.toFixed(0), o.detail ?? '']),
            ['left', 'left', 'right', 'left'],
            { width: terminalWidth() },
          ),
        );
        const passed = outcomes.filter((o) => o.status === 'pass').length;
        console.log(`${passed} passed, ${failed} failed, ${outcomes.length - passed - failed} skipped`);
        // a URL with secrets is shown redacted: it would not connect
        const url = target.secrets.length ? 'URL' : target.redacted;
        console.log(
          failed
            ? `next: storbench check --target ${url} --json (the failures in full): a run would measure a system that breaks the contract`
            : `next: storbench run --target ${url} --workload put-small | storbench suite --targets FILE`,
        );
      }
      return failed ? 1 : 0;
    } finally {
      await driver.close();
      if (target.scheme === 'file') removeEmptyDirs(join(target.path || '/', CHECK_DIR));
    }
  },
};

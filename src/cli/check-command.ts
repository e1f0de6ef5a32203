/** `storbench check`: the conformance behaviors against any target, so a cluster can be trusted first. */
import { behaviors, runBehavior } from '../conformance/behaviors.js';
import { parseTarget } from '../drivers/target.js';
import { UsageError } from '../errors.js';
import { textTable } from '../report/format.js';
import { openDriver } from '../runner/open-driver.js';
import { type Command, parseFlags } from './command.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'run the conformance behaviors against a target and show its capabilities',
  usage: `usage: storbench check --target URL [--json]
  Writes only under storbench-check/<random>/ in the target and removes what it wrote.`,
  async run(argv) {
    const { values } = parseFlags('check', argv, { target: { type: 'string' }, json: { type: 'boolean' } });
    if (!values.target) throw new UsageError('check: --target is required');
    const target = parseTarget(values.target);
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
          ),
        );
        const passed = outcomes.filter((o) => o.status === 'pass').length;
        console.log(`${passed} passed, ${failed} failed, ${outcomes.length - passed - failed} skipped`);
      }
      return failed ? 1 : 0;
    } finally {
      await driver.close();
    }
  },
};

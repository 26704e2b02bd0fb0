import path from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { ConfigError, loadConfig } from '../config/load';
import type { JourneysConfig } from '../config/schema';
import { registry } from '../workflows/registry';
import { readCustomerFile, readTimelineFile, SimulationInputError } from './inputs';
import { formatTimeline, writeMessages } from './report';
import { simulate, type SimulationResult } from './run';
import { addSpan, parseSpan } from './span';

// The command behind `npm run simulate` (scripts/simulate.ts): its flags, its output, its exit code.

export const USAGE = `Usage: npm run simulate -- <journey|customer> --customer FILE --events FILE
                            [--until SPAN] [--start TIME] [--config FILE] [--out DIR]

Runs a customer's timeline through the real workflows, templates and send rules on a
time-skipping Temporal server with a PostgreSQL of its own, and prints what the customer would
receive, in their local time. Nothing is sent: messages are written to --out.

  <journey|customer>  one journey (${registry.map((e) => e.name).join(', ')}),
                      or "customer" for every enabled journey
  --customer FILE     the customer: {"userId", "traits", "context": {"timezone", "locale"}}
  --events FILE       the timeline, each entry with "at": "+2h", "+3 days" or an ISO time: Segment
                      calls, the shop's {"type": "products"} and {"type": "stores"} calls, and
                      reads of an email sent at a step: {"open": "welcome"}, {"click": "welcome"}
  --until SPAN        how long to simulate from the start (default "1 year")
  --start TIME        when the simulation starts, ISO 8601; without an offset, in the customer's
                      zone (default: the next full hour)
  --config FILE       the configuration (default: JOURNEYS_CONFIG, else the defaults)
  --out DIR           where the messages go (default: simulation/<userId>)`;

export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (line: string) => void;
}

/** Runs the command; resolves to its exit code (0 done, 2 bad input: one line on stderr says what). */
export async function runSimulateCommand(argv: string[], io: CommandOutput): Promise<number> {
  let result: SimulationResult;
  let options: Options;
  try {
    options = simulationFrom(argv);
    io.stderr(`Simulating ${options.customer.userId} (${options.customer.zone}) from ${options.startText}...`);
    result = await simulate({ ...options, log: io.stderr });
  } catch (err) {
    if (err instanceof SimulationInputError || err instanceof ConfigError) {
      io.stderr(`simulate: ${err.message.split('\n').join(' ')}`);
      return 2;
    }
    throw err;
  }
  const { customer, out } = options;
  const files = writeMessages(result.attempts, out);
  io.stdout(formatTimeline(result, customer.zone).join('\n'));
  io.stdout(
    `\n${files.length} files of ${result.attempts.filter((a) => a.status === 'sent').length} messages sent in ${path.relative(process.cwd(), out) || '.'}/. ` +
      `Simulated ${options.untilText} in ${seconds(result.simulatedMs)} (${seconds(result.totalMs)} with the product's start and stop).`,
  );
  return 0;
}

export type Options = Parameters<typeof simulate>[0] & {
  out: string;
  startText: string;
  untilText: string;
};

/** The simulation the command line asks for; SimulationInputError names what is wrong with it. */
export function simulationFrom(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        customer: { type: 'string' },
        events: { type: 'string' },
        until: { type: 'string', default: '1 year' },
        start: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string' },
      },
    });
  } catch (err) {
    throw new SimulationInputError(`${(err as Error).message} (npm run simulate -- --help)`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new SimulationInputError(`name one journey or "customer"\n${USAGE}`);
  if (!values.customer) throw new SimulationInputError('--customer FILE is required');
  if (!values.events) throw new SimulationInputError('--events FILE is required');

  const config = onlyJourney(loadConfig(values.config), positionals[0]);
  const customer = readCustomerFile(values.customer);
  const start = values.start
    ? startTime(values.start, customer.zone)
    : DateTime.now().startOf('hour').plus({ hours: 1 }).toMillis();
  const until = addSpan(start, parseSpan(values.until), customer.zone);
  const events = readTimelineFile(values.events, customer, start);
  const identify = {
    at: start,
    index: -1,
    call: { type: 'identify', userId: customer.userId, traits: customer.traits, context: customer.context },
  };
  return {
    config,
    customer,
    events: [identify, ...events],
    start,
    until,
    timelineName: path.basename(values.events),
    out: path.resolve(values.out ?? path.join('simulation', customer.userId)),
    startText: DateTime.fromMillis(start, { zone: customer.zone }).toFormat('yyyy-LL-dd HH:mm ZZZZ'),
    untilText: values.until,
  };
}

/** An ISO 8601 time; one without an offset is the customer's local time. */
function startTime(text: string, zone: string): number {
  const at = DateTime.fromISO(text, { zone });
  if (!at.isValid) {
    throw new SimulationInputError(
      `--start "${text}" is not an ISO 8601 time (e.g. 2030-01-07T09:00, or with an offset)`,
    );
  }
  return at.toMillis();
}

/** The configuration with every journey but `name` disabled ("customer": as it is). */
function onlyJourney(config: JourneysConfig, name: string): JourneysConfig {
  if (name === 'customer') return config;
  const entry = registry.find((e) => e.name === name);
  if (!entry) {
    throw new SimulationInputError(
      `no journey "${name}": name one of ${registry.map((e) => e.name).join(', ')}, or "customer"`,
    );
  }
  const journeys = Object.fromEntries(
    Object.entries(config.journeys).map(([key, section]) => [
      key,
      { ...section, enabled: key === entry.config && section.enabled },
    ]),
  );
  return { ...config, journeys: journeys as JourneysConfig['journeys'] };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

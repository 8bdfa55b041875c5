// The `omnivox` command (README "The outside contract"): `start [--config FILE]`, `doctor` and
// `user add|list|show|sip-secret|delete`. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.

import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { ConfigError, OmnivoxError } from "../core/errors.ts";
import { runDoctor } from "./doctor.ts";
import { runStart } from "./start.ts";
import { runUser } from "./user.ts";

const USAGE = `usage:
  omnivox start [--config FILE]
  omnivox doctor [--config FILE]   (checks config, data directory, database, ports, speech, relay; says what to fix)
  omnivox user add ID [--name NAME] [--email ADDR]... [--phone NUMBER]... [--password PW] [--pin DIGITS] [--config FILE]
  omnivox user list [--config FILE]
  omnivox user show ID [--config FILE]
  omnivox user sip-secret ID [--config FILE]   (a new SIP secret for the user's phones; the old one stops working)
  omnivox user delete ID [--config FILE]   (erases the user: profile, voicemail and audio, communications, sessions, MWI)

Without --config (or OMNIVOX_CONFIG) omnivox runs on its defaults: SQLite under ./data,
HTTP 127.0.0.1:8080, SMTP 127.0.0.1:2525, SIP 127.0.0.1:5060.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      name: { type: "string" },
      email: { type: "string", multiple: true },
      phone: { type: "string", multiple: true },
      password: { type: "string" },
      pin: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  // The doctor reports a config it cannot read as one of its findings.
  if (command === "doctor") return runDoctor(values.config ?? process.env.OMNIVOX_CONFIG);
  const config = await loadConfig(values.config ?? process.env.OMNIVOX_CONFIG);
  switch (command) {
    case "start":
      return runStart(config);
    case "user":
      return runUser(config, sub, rest, values);
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof OmnivoxError) {
      console.error(`omnivox: ${err.message}`);
      process.exitCode = err instanceof ConfigError || err.statusCode === 400 ? 2 : 1;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);

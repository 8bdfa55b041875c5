// `omnivox start`: runs the gateway until SIGTERM/SIGINT, then stops gracefully.

import { startOmnivox } from "../app/omnivox.ts";
import type { Config } from "../config/schema.ts";

export async function runStart(config: Config): Promise<number> {
  const app = await startOmnivox(config);
  const { ports } = app;
  const lines = [
    "omnivox is running",
    `  web client + API  http://${ports.http?.host}:${ports.http?.port}/`,
    `  SMTP in           ${ports.smtp?.host}:${ports.smtp?.port} (domains: ${config.smtp.domains.join(", ")})`,
    `  SMTP out relay    ${config.smtpOut.host}:${config.smtpOut.port}`,
    `  database          ${config.database.startsWith("postgres") ? "PostgreSQL" : config.database} (data in ${app.config.dataDir})`,
    `  ports file        ${app.config.dataDir}/ports.json`,
  ];
  if (app.adminTokenFile) {
    lines.push(
      app.adminTokenGenerated
        ? `  admin token       ${app.adminToken}  (generated, saved in ${app.adminTokenFile})`
        : `  admin token       in ${app.adminTokenFile}`,
    );
  }
  // Printed to stderr for the operator; the JSON log stays machine-readable on stdout.
  console.error(lines.join("\n"));

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, "stopping");
      app.stop().then(resolve, (err) => {
        app.logger.error({ err }, "stop failed");
        resolve();
      });
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  return 0;
}

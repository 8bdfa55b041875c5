// The single inbox in a cluster (docs/cluster.md "Single inbox"): two nodes configured for the
// same Dovecot, and alice's mailbox is watched by one of them only — the holder of the `imap`
// lease. Killed, that node's lease lapses and the survivor watches her mailbox instead.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  addClusterUser,
  type ClusterNodeChild,
  clusterSkip,
  startCluster,
  type TestCluster,
} from "../support/cluster.ts";
import { Dovecot, dovecotPeer } from "../support/dovecot.ts";
import { until } from "../support/until.ts";

const dovecotBin = dovecotPeer();
const skip = (await clusterSkip()) ?? dovecotBin.skip;

let cluster: TestCluster;
let dovecot: Dovecot;

before(async () => {
  if (skip) return;
  dovecot = await Dovecot.start(dovecotBin.path!, {
    users: [{ user: "alice@example.com", password: "alice-mail-pw" }],
  });
  const { user, password } = dovecot.master;
  // The nodes' info lines say which one watches the mailbox.
  const level = process.env.OMNIVOX_TEST_LOG;
  process.env.OMNIVOX_TEST_LOG = "info";
  cluster = await startCluster(2, () => [
    `imap: { domains: { example.com: { host: 127.0.0.1, port: ${dovecot.imapPort}, auth: { masterUser: ${user}, masterPassword: ${password} } } }, retryMinMs: 100, retryMaxMs: 1000 }`,
  ]).finally(() => {
    if (level === undefined) delete process.env.OMNIVOX_TEST_LOG;
    else process.env.OMNIVOX_TEST_LOG = level;
  });
  await addClusterUser(cluster, {
    id: "alice",
    password: "wonderland",
    emails: ["alice@example.com"],
  });
});

after(async () => {
  if (skip) return;
  await cluster?.stop();
  await dovecot?.stop();
});

/** The nodes (of those given) that said they watch alice's mailbox in their output since `from`. */
function watching(nodes: readonly ClusterNodeChild[], from: readonly number[] = []): string[] {
  return nodes
    .filter((n, i) =>
      n
        .output()
        .slice(from[i] ?? 0)
        .split("\n")
        .some(
          (line) =>
            line.includes('"userId":"alice"') && line.includes("imap: watching the mailbox"),
        ),
    )
    .map((n) => n.nodeId);
}

test("one node watches alice's mailbox; killed, the survivor takes it over", {
  skip,
  timeout: 90_000,
}, async () => {
  await until("a node watches alice's mailbox", () => watching(cluster.nodes).length > 0, 20_000);
  // Long enough for a second node to have started a watcher, had it done so on its own.
  await new Promise((r) => setTimeout(r, 3000));
  const owners = watching(cluster.nodes);
  assert.equal(owners.length, 1, `watched by ${owners.join(", ")}`);
  assert.equal(
    (await dovecot.log()).match(/Login: user=<alice@example\.com/g)?.length ?? 0,
    1,
    `one IMAP login for alice:\n${await dovecot.log()}`,
  );

  const owner = cluster.nodes.find((n) => n.nodeId === owners[0])!;
  const survivor = cluster.nodes.find((n) => n !== owner)!;
  const mark = survivor.output().length;
  owner.process.kill("SIGKILL");
  await owner.exited;
  // Its lease lapses within 6 s; the survivor then logs in to alice's mailbox itself.
  await until(
    "the survivor watches alice's mailbox",
    () => watching([survivor], [mark]).length === 1,
    30_000,
  );
});

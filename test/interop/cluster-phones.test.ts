// Phones in a cluster (docs/cluster.md "Phones"): three omnivox nodes; alice's baresip registers
// over TCP with node 1 and subscribes to her mailbox there. A sipp call leaves a message on
// node 2: her phone gets the MWI NOTIFY over its TCP flow. A voice message sent through node 3
// rings her phone: only node 1's connection reaches it, so node 1 places the call and the
// delivery is done once baresip answered and heard it.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generateSweep } from "../../src/media/pcm.ts";
import { pcm16ToWav } from "../../src/media/wav.ts";
import { type Baresip, startBaresip } from "../support/baresip.ts";
import {
  addClusterUser,
  type ClusterNodeChild,
  clusterSkip,
  startCluster,
  type TestCluster,
} from "../support/cluster.ts";
import { peer } from "../support/peers.ts";
import { callerAudio, runSipp } from "../support/sipp.ts";
import { until } from "../support/until.ts";

const baresipBin = peer("baresip", "baresip");
const sipp = peer("sipp", "sip-tester");
const skip = (await clusterSkip()) ?? baresipBin.skip ?? sipp.skip;

let cluster: TestCluster;
let work: string;
let token: string;
let phone: Baresip | undefined;
let sipSecret: string;

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), "omnivox-cluster-phones-"));
  // The nodes' info lines say which node placed the call and which handed it over.
  const level = process.env.OMNIVOX_TEST_LOG;
  process.env.OMNIVOX_TEST_LOG = "info";
  cluster = await startCluster(3, () => ["outbox: { backoffBaseMs: 200, backoffMaxMs: 2000 }"], [
    "domain: 127.0.0.1",
  ]).finally(() => {
    if (level === undefined) delete process.env.OMNIVOX_TEST_LOG;
    else process.env.OMNIVOX_TEST_LOG = level;
  });
  ({ token, sipSecret } = await addClusterUser(cluster, {
    id: "alice",
    password: "wonderland",
    phones: ["+15550001"],
    pin: "123456",
  }));
  const quiet = join(work, "quiet.wav");
  await writeFile(quiet, pcm16ToWav(new Int16Array(8000 * 60), 8000));
  const n1 = cluster.nodes[0]!;
  phone = await startBaresip({
    binary: baresipBin.path!,
    account: {
      user: "alice",
      domain: "127.0.0.1",
      password: sipSecret,
      outbound: { host: "127.0.0.1", port: n1.ports.sip!.port, transport: "tcp" },
      params: ["answermode=auto"],
    },
    audioSource: `aufile,${quiet}`,
    sipTrace: true,
  });
  await phone.waitFor(/alice@127\.0\.0\.1: \{0\/TCP\/v4\} 200 OK/, 20_000);
  await phone.waitFor(/Messages-Waiting: no/, 20_000);
});
after(async () => {
  if (skip) return;
  await phone?.stop();
  await cluster?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A sipp call to alice's number at `node` that leaves a 3 s message from `caller`. */
async function deposit(node: ClusterNodeChild, caller: string): Promise<void> {
  const { file: audioFile } = await callerAudio(work, 3000, `caller-${caller}.ulaw`);
  const run = await runSipp(sipp.path!, node.ports.sip!, "deposit.xml", {
    service: "15550001",
    keys: { caller },
    template: { audio: audioFile, audio_ms: "3300" },
    workDir: work,
  });
  assert.equal(run.code, 0, `sipp failed:\n${run.errors}\n${run.output.slice(-2000)}`);
}

test("a deposit on node 2 lights the lamp of a phone registered over TCP on node 1", {
  skip,
  timeout: 90_000,
}, async () => {
  await deposit(cluster.nodes[1]!, "15551234");
  // The NOTIFY comes over the phone's own TCP connection to node 1.
  await phone!.waitFor(/Messages-Waiting: yes[\s\S]*Voice-Message: 1\/0/, 20_000);
});

test("a voice message sent through node 3 rings the phone through node 1, which holds its connection", {
  skip,
  timeout: 120_000,
}, async () => {
  const n3 = cluster.nodes[2]!;
  const wav = pcm16ToWav(generateSweep(500, 1500, 2000, 8000, 0.3), 8000);
  const posted = await fetch(`${n3.base}/api/v1/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ to: "tel:+15550001", audio: Buffer.from(wav).toString("base64") }),
  });
  assert.equal(posted.status, 201, await posted.text());
  const state = async () => {
    const res = await fetch(`${n3.base}/api/v1/communications?userId=alice`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const list = (await res.json()) as Array<{
      deliveries: Array<{ target: string; state: string }>;
    }>;
    return list
      .flatMap((c) => c.deliveries)
      .filter((d) => d.target === "tel:+15550001")
      .map((d) => d.state);
  };
  await until(
    "the call was answered and played",
    async () => (await state()).includes("delivered"),
    {
      timeoutMs: 60_000,
      intervalMs: 250,
    },
  );
  const n1 = cluster.nodes[0]!;
  // The INVITE came to baresip over its registration's connection, from node 1's listener.
  assert.match(
    phone!.output(),
    new RegExp(
      `INVITE sip:alice[^@\\s]*@[^\\r\\n]*transport=tcp[\\s\\S]*?Contact: <sip:omnivox@127\\.0\\.0\\.1:${n1.ports.sip!.port};transport=tcp>`,
    ),
  );
  // Node 1 placed the call; the node whose outbox claimed the delivery (node 3, which received
  // it, or node 2) handed it over.
  const said = (line: string) =>
    cluster.nodes.filter((n) => n.output().includes(line)).map((n) => n.nodeId);
  assert.deepEqual(said("message played on the phone"), ["n1"]);
  const handedOver = said("call placed by the node holding the phone");
  assert.equal(handedOver.length, 1, `handed over by ${handedOver}`);
  assert.notEqual(handedOver[0], "n1");
});

test("one call rings alice's phones on node 1 and node 2 at once: the one that answers plays, the other is called off", {
  skip,
  timeout: 120_000,
}, async () => {
  const [n1, n2, n3] = [cluster.nodes[0]!, cluster.nodes[1]!, cluster.nodes[2]!];
  // A second phone of alice's, on TCP at node 2, that rings and does not answer by itself.
  const desk = await startBaresip({
    binary: baresipBin.path!,
    account: {
      user: "alice",
      domain: "127.0.0.1",
      password: sipSecret,
      outbound: { host: "127.0.0.1", port: n2.ports.sip!.port, transport: "tcp" },
      mwi: false,
      params: ["answermode=manual"],
    },
    sipTrace: true,
  });
  try {
    await desk.waitFor(/alice@127\.0\.0\.1: \{0\/TCP\/v4\} 200 OK/, 20_000);
    // Alice picks up her first phone by hand once both ring, so both branches surely rang.
    const sinceAnswered = phone!.output().length;
    phone!.command("/answermode manual");
    await phone!.waitFor(/Answer mode changed to: manual/, 5000);
    const marks = cluster.nodes.map((n) => n.output().length);
    const wav = pcm16ToWav(generateSweep(500, 1500, 2000, 8000, 0.3), 8000);
    const posted = await fetch(`${n3.base}/api/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ to: "tel:+15550001", audio: Buffer.from(wav).toString("base64") }),
    });
    const answer = await posted.text();
    assert.equal(posted.status, 201, answer);
    const { communicationId } = JSON.parse(answer) as { communicationId: string };
    const deliveries = async () => {
      const res = await fetch(`${n3.base}/api/v1/communications?userId=alice`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const list = (await res.json()) as Array<{
        id: string;
        deliveries: Array<{ target: string; state: string }>;
      }>;
      return (list.find((c) => c.id === communicationId)?.deliveries ?? [])
        .filter((d) => d.target === "tel:+15550001")
        .map((d) => d.state);
    };
    await desk.waitFor(/Incoming call from/, 20_000);
    await until(
      "the first phone rings",
      () => /Incoming call from/.test(phone!.output().slice(sinceAnswered)),
      20_000,
    );
    phone!.command("/accept");
    await until(
      "the call was answered and played",
      async () => (await deliveries()).includes("delivered"),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    assert.deepEqual(await deliveries(), ["delivered"]);
    // Each phone was rung by the node holding its connection.
    const invitedFrom = (output: string, node: ClusterNodeChild) =>
      new RegExp(
        `INVITE sip:alice[^\\r\\n]*[\\s\\S]*?Contact: <sip:omnivox@127\\.0\\.0\\.1:${node.ports.sip!.port};transport=tcp>`,
      ).test(output);
    assert.ok(
      invitedFrom(phone!.output().slice(sinceAnswered), n1),
      "node 1 rang the phone that answers",
    );
    await desk.waitFor(
      /CANCEL sip:alice[\s\S]*?Reason: SIP;cause=200;text="Call completed elsewhere"/,
      20_000,
    );
    assert.ok(invitedFrom(desk.output(), n2), "node 2 rang the desk phone");
    // The message was played once, by node 1, and the desk phone never took the call.
    const said = (line: string) =>
      cluster.nodes
        .filter((n, i) => n.output().slice(marks[i]).includes(line))
        .map((n) => n.nodeId);
    assert.deepEqual(said("message played on the phone"), ["n1"]);
    assert.doesNotMatch(
      desk.output(),
      /SIP\/2\.0 200 OK[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*?CSeq: \d+ INVITE/,
    );
  } finally {
    phone!.command("/answermode auto");
    await desk.stop();
  }
});

test("the node holding the phone's subscription is killed: a survivor takes it over and NOTIFYs the next deposit", {
  skip,
  timeout: 120_000,
}, async () => {
  const [n1, n2] = [cluster.nodes[0]!, cluster.nodes[1]!];
  n1.process.kill("SIGKILL");
  await n1.exited;
  // Its id lease lapses within 6 s; a survivor then takes the subscription and tells the phone
  // the state it has (one new message) from its own Contact.
  const since = phone!.output().length;
  await until(
    "a survivor NOTIFYs the phone",
    () => /Messages-Waiting: yes[\s\S]*Voice-Message: 1\/0/.test(phone!.output().slice(since)),
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  await deposit(n2, "15551235");
  await phone!.waitFor(/Messages-Waiting: yes[\s\S]*Voice-Message: 2\/0/, 20_000);
});

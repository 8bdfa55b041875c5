// Tests for omnivox in the switch's seat on an SMDI link (GR-283-CORE): a voicemail system, played
// by a second SmdiLink over real TCP, turns lamps on and off, gets INV/BLK, and receives call details.

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { SmdiFrame } from "./frames.ts";
import { SmdiLink } from "./link.ts";
import { switchRole } from "./switch-role.ts";

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

function collect(link: SmdiLink, count: number): Promise<SmdiFrame[]> {
  const frames: SmdiFrame[] = [];
  return new Promise((resolve) => {
    link.on("frame", (frame) => {
      frames.push(frame);
      if (frames.length === count) resolve(frames);
    });
  });
}

/** omnivox listens as the switch; the voicemail system dials in. */
async function pair(): Promise<{ pbx: SmdiLink; vm: SmdiLink }> {
  const pbx = new SmdiLink({ listen: "127.0.0.1:0" });
  cleanup.push(() => pbx.close());
  await pbx.start();
  const vm = new SmdiLink({ connect: `127.0.0.1:${pbx.address()!.port}` });
  cleanup.push(() => vm.close());
  const online = new Promise<void>((resolve) => pbx.once("status", () => resolve()));
  await vm.start();
  await online;
  return { pbx, vm };
}

describe("switchRole", () => {
  it("reports lamps for known stations and answers INV for unknown, BLK for blocked", async () => {
    const { pbx, vm } = await pair();
    const known = new Set(["100", "200", "300", "666"]);
    const lamps: Array<[string, boolean]> = [];
    let resolveLamps: () => void = () => {};
    const threeLamps = new Promise<void>((resolve) => {
      resolveLamps = resolve;
    });
    const role = switchRole({
      link: pbx,
      knowsStation: (station) => known.has(station),
      isBlocked: async (station) => {
        if (station === "666") throw new Error("profile store down");
        await new Promise((resolve) => setImmediate(resolve)); // async hooks keep arrival order
        return station === "300";
      },
      onMwi: (station, on) => {
        lamps.push([station, on]);
        if (lamps.length === 3) resolveLamps();
      },
    });
    cleanup.push(() => role.stop());
    const replies = collect(vm, 2);

    vm.send({ kind: "mwi", on: true, station: "100" });
    vm.send({ kind: "mwi", on: true, station: "999" });
    vm.send({ kind: "mwi", on: true, station: "666" }); // a failing hook is logged, not fatal
    vm.send({ kind: "mwi", on: false, station: "100" });
    vm.send({ kind: "mwi", on: true, station: "300" });
    vm.send({ kind: "mwi", on: true, station: "200" });

    await threeLamps;
    await role.idle();
    assert.deepEqual(lamps, [
      ["100", true],
      ["100", false],
      ["200", true],
    ]);
    assert.deepEqual(
      [...role.lamps],
      [
        ["100", false],
        ["200", true],
      ],
    );
    assert.deepEqual(await replies, [
      { kind: "mwi-error", station: "999", reason: "INV" },
      { kind: "mwi-error", station: "300", reason: "BLK" },
    ]);
  });

  it("sends call details for calls forwarded into the voicemail system", async () => {
    const { pbx, vm } = await pair();
    const role = switchRole({
      link: pbx,
      knowsStation: () => true,
      isBlocked: () => false,
      onMwi: () => {},
      desk: "002",
    });
    cleanup.push(() => role.stop());
    const details = collect(vm, 2);
    assert.equal(
      role.sendCallDetail({ type: "B", forwardingStation: "100", callingStation: "2125550100" }),
      true,
    );
    assert.equal(
      role.sendCallDetail({ type: "N", forwardingStation: "7", terminal: "0012" }),
      true,
    );
    assert.deepEqual(await details, [
      {
        kind: "call-detail",
        desk: "002",
        terminal: "0001",
        type: "B",
        forwardingStation: "100",
        callingStation: "2125550100",
      },
      {
        kind: "call-detail",
        desk: "002",
        terminal: "0012",
        type: "N",
        forwardingStation: "7",
        callingStation: "",
      },
    ]);
  });

  it("ignores frames only a switch sends, and stops listening on stop()", async () => {
    const frames: SmdiFrame[] = [];
    const listeners = new Set<(frame: SmdiFrame) => void>();
    const link = {
      on: (_: "frame", fn: (frame: SmdiFrame) => void) => listeners.add(fn),
      off: (_: "frame", fn: (frame: SmdiFrame) => void) => listeners.delete(fn),
      send: (frame: SmdiFrame) => frames.push(frame) > 0,
    };
    const lamps: string[] = [];
    const role = switchRole({
      link,
      knowsStation: () => true,
      isBlocked: () => false,
      onMwi: (station) => {
        lamps.push(station);
      },
    });
    const deliver = (frame: SmdiFrame): void => {
      for (const fn of listeners) fn(frame);
    };
    deliver({ kind: "mwi-error", station: "1", reason: "INV" });
    deliver({ kind: "mwi", on: true, station: "2" });
    await role.idle();
    assert.deepEqual(lamps, ["2"]);
    assert.deepEqual(frames, []);
    role.stop();
    assert.equal(listeners.size, 0);
  });
});

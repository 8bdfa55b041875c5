// The key connections are counted under per source (docs/security.md "Connection limits"): an
// IPv4 address as is (also IPv4-mapped IPv6, RFC 4291 §2.5.5.2), an IPv6 address by its /64,
// the usual size of one customer's network (RFC 6177), so one host cannot dodge a cap by hopping
// through its own addresses.

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function sourceKey(remoteAddress: string): string {
  const v4 = remoteAddress.replace(/^::ffff:/i, "");
  if (IPV4.test(v4)) return v4;
  const groups = expandIPv6(remoteAddress.replace(/%.*$/, ""));
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : remoteAddress;
}

function expandIPv6(address: string): string[] | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(address)) return undefined;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  if (address.includes("::")) {
    const fill = 8 - left.length - right.length;
    if (fill < 0) return undefined;
    return [...left, ...Array<string>(fill).fill("0"), ...right].map((g) => g.toLowerCase());
  }
  return left.length === 8 ? left.map((g) => g.toLowerCase()) : undefined;
}

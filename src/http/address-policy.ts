/**
 * Which IP addresses are not the public internet: loopback, private ranges, link-local, CGNAT, unique-local,
 * multicast, unspecified, cloud metadata and reserved ranges. The outbound client refuses them (see
 * address-guard.ts) unless the environment allows private addresses, so that a connection's base URL cannot
 * make Switchyard call into the network it runs in.
 */
import { BlockList, isIP } from "node:net";

/** Why an address is not public. */
export type AddressCategory =
  | "metadata"
  | "loopback"
  | "unspecified"
  | "private"
  | "link-local"
  | "cgnat"
  | "unique-local"
  | "multicast"
  | "reserved";

type Ranges = { v4?: readonly string[]; v6?: readonly string[] };

/** Checked in this order, so the most telling name wins (169.254.169.254 is `metadata`, not `link-local`). */
const CATEGORIES: readonly [AddressCategory, Ranges][] = [
  [
    "metadata",
    {
      // AWS, GCP, Azure, OpenStack…; AWS ECS task metadata; Alibaba Cloud; AWS over IPv6.
      v4: ["169.254.169.254/32", "169.254.170.2/32", "100.100.100.200/32"],
      v6: ["fd00:ec2::254/128"],
    },
  ],
  ["loopback", { v4: ["127.0.0.0/8"], v6: ["::1/128"] }],
  ["unspecified", { v4: ["0.0.0.0/8"], v6: ["::/128"] }],
  ["private", { v4: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], v6: ["fec0::/10"] }],
  ["link-local", { v4: ["169.254.0.0/16"], v6: ["fe80::/10"] }],
  ["cgnat", { v4: ["100.64.0.0/10"] }],
  ["unique-local", { v6: ["fc00::/7"] }],
  ["multicast", { v4: ["224.0.0.0/4"], v6: ["ff00::/8"] }],
  [
    "reserved",
    {
      // IETF assignments, documentation, benchmarking, class E and broadcast.
      v4: [
        "192.0.0.0/24",
        "192.0.2.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
      ],
      // IPv4-compatible (deprecated), discard-only, documentation.
      v6: ["::/96", "100::/64", "2001:db8::/32"],
    },
  ],
];

const LISTS: readonly [AddressCategory, BlockList][] = CATEGORIES.map(([category, ranges]) => {
  const list = new BlockList();
  for (const range of ranges.v4 ?? []) addSubnet(list, range, "ipv4");
  for (const range of ranges.v6 ?? []) addSubnet(list, range, "ipv6");
  return [category, list];
});

function addSubnet(list: BlockList, range: string, family: "ipv4" | "ipv6"): void {
  const [network, prefix] = range.split("/");
  list.addSubnet(network!, Number(prefix), family);
}

/**
 * The category of a non-public IP address, or undefined for a public one. IPv6 forms that carry an IPv4
 * address (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by that IPv4 address.
 * Throws a TypeError for a string that is not an IP address.
 */
export function classifyAddress(address: string): AddressCategory | undefined {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`"${address}" is not an IP address.`);
  if (family === 6) {
    const embedded = embeddedIpv4(address);
    if (embedded !== undefined) return classifyAddress(embedded);
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const [category, list] of LISTS) if (list.check(address, type)) return category;
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address, if it is one of those. */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const isNat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (isMapped || isNat64) return ipv4Of(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return ipv4Of(groups[1]!, groups[2]!);
  return undefined;
}

function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** The eight 16-bit groups of an IPv6 address (with `::` expanded and a dotted IPv4 tail converted). */
function expandIpv6(address: string): number[] {
  let text = address.toLowerCase().split("%")[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a, b, c, d] = dotted.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part ? part.split(":").map((g) => Number.parseInt(g, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

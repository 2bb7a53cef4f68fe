/**
 * The SSRF guard: every outbound connection is checked against the address it actually connects to, after
 * DNS resolution, so a name that resolves (or re-resolves, as in DNS rebinding) to a private address is
 * refused at the socket, for the base URL and for every other origin a request reaches (next-page links).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { lookup as dnsLookupAsync } from "node:dns/promises";
import { isIP } from "node:net";
import { buildConnector } from "undici";
import { ConfigError } from "../core/index.ts";
import { type AddressCategory, classifyAddress } from "./address-policy.ts";
import { assertNoUserinfo } from "./url.ts";

/**
 * How an environment lets its connections be reached: public addresses only, or private ones too. Cloud
 * metadata addresses are refused either way: no provider or emulator lives there, only the host's secrets.
 */
export interface AddressPolicy {
  /** Allow loopback, private, link-local… addresses (emulators on this machine). Off by default. */
  allowPrivateAddresses?: boolean;
}

const ALLOW_HINT =
  "Use the provider's public API address. An emulator on this machine needs an environment that allows " +
  "private addresses: `allow_private_network` when the environment is created through the API, " +
  "`switchyard sync --allow-private-network` on the command line; npm start's demo environment allows them.";
const METADATA_HINT =
  "Cloud metadata addresses are never reached, whatever the environment allows: use the provider's API address.";

/**
 * A request would have reached a non-public address. Never retried: the next attempt would go there too.
 * For a name, the message gives the kind of address it resolves to but not the address, so that refusals
 * cannot be used to read the internal DNS of the network Switchyard runs in.
 */
export class AddressRefusedError extends ConfigError {
  constructor(host: string, address: string, category: AddressCategory) {
    super(
      host === address
        ? `Switchyard does not send requests to ${address}, a ${category} address.`
        : `Switchyard does not send requests to ${host}: it resolves to a ${category} address.`,
      category === "metadata" ? METADATA_HINT : ALLOW_HINT,
      { host, category },
    );
  }
}

/** The refusal for `address` (reached as `host`) under `policy`, or undefined when it may be reached. */
export function refusalOf(
  host: string,
  address: string,
  policy: AddressPolicy,
): AddressRefusedError | undefined {
  const category = classifyAddress(address);
  if (!category || (policy.allowPrivateAddresses && category !== "metadata")) return undefined;
  return new AddressRefusedError(host, address, category);
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for net/tls.connect that resolves like dns.lookup and fails when any address is refused. */
function guardedLookup(policy: AddressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const refused = refusalOf(hostname, address, policy);
        if (refused) return callback(refused as unknown as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * An undici connector that refuses what `policy` does not allow: an IP-literal host before connecting
 * (net.connect does not look those up), a name through the lookup hook, so the address checked is the one
 * connected to.
 */
export function guardedConnector(
  policy: AddressPolicy,
  options: buildConnector.BuildOptions = {},
): buildConnector.connector {
  const connect = buildConnector({
    ...options,
    lookup: guardedLookup(policy),
  } as buildConnector.BuildOptions);
  return (target, callback) => {
    if (isIP(target.hostname)) {
      const refused = refusalOf(target.hostname, target.hostname, policy);
      if (refused) {
        callback(refused, null);
        return;
      }
    }
    connect(target, callback);
  };
}

/**
 * Checks a base URL before it is stored: no user:password part, and a host that is, or resolves to, only
 * addresses the policy allows. Throws AddressRefusedError or ConfigError; a name that does not resolve
 * (yet) passes, as the connection-time guard still applies.
 */
export async function assertBaseUrlAllowed(baseUrl: string, policy: AddressPolicy): Promise<void> {
  const url = new URL(baseUrl);
  assertNoUserinfo(url);
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host)) {
    const refused = refusalOf(host, host, policy);
    if (refused) throw refused;
    return;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await dnsLookupAsync(host, { all: true });
  } catch {
    return;
  }
  for (const { address } of addresses) {
    const refused = refusalOf(host, address, policy);
    if (refused) throw refused;
  }
}

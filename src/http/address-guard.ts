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

/** How an environment lets its connections be reached: public addresses only, or private ones too. */
export interface AddressPolicy {
  /** Allow loopback, private, link-local… addresses (emulators on this machine). Off by default. */
  allowPrivateAddresses?: boolean;
}

const ALLOW_HINT =
  "Use the provider's public API address. An emulator on this machine needs an environment that allows " +
  "private addresses: `allow_private_network` when the environment is created through the API, " +
  "`switchyard sync --allow-private-network` on the command line; npm start's demo environment allows them.";

/** A request would have reached a non-public address. Never retried: the next attempt would go there too. */
export class AddressRefusedError extends ConfigError {
  constructor(host: string, address: string, category: AddressCategory) {
    super(
      host === address
        ? `Switchyard does not send requests to ${address}, a ${category} address.`
        : `Switchyard does not send requests to ${host}: it resolves to ${address}, a ${category} address.`,
      ALLOW_HINT,
      { host, address, category },
    );
  }
}

/** The refusal for `address` (reached as `host`), or undefined when the address is public. */
function refusalOf(host: string, address: string): AddressRefusedError | undefined {
  const category = classifyAddress(address);
  return category ? new AddressRefusedError(host, address, category) : undefined;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A `lookup` for net/tls.connect that resolves like dns.lookup and fails when any address is not public. */
function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    for (const { address } of addresses) {
      const refused = refusalOf(hostname, address);
      if (refused) return callback(refused as unknown as NodeJS.ErrnoException, []);
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    if (!first)
      return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
    callback(null, first.address, first.family);
  });
}

/**
 * An undici connector that refuses non-public addresses: an IP-literal host before connecting (net.connect
 * does not look those up), a name through the lookup hook, so the address checked is the one connected to.
 */
export function guardedConnector(options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: guardedLookup } as buildConnector.BuildOptions);
  return (target, callback) => {
    if (isIP(target.hostname)) {
      const refused = refusalOf(target.hostname, target.hostname);
      if (refused) {
        callback(refused, null);
        return;
      }
    }
    connect(target, callback);
  };
}

/**
 * Checks a base URL before it is stored: no user:password part, and (unless the policy allows private
 * addresses) a host that is, or resolves to, only public addresses. Throws AddressRefusedError or
 * ConfigError; a name that does not resolve (yet) passes, as the connection-time guard still applies.
 */
export async function assertBaseUrlAllowed(baseUrl: string, policy: AddressPolicy): Promise<void> {
  const url = new URL(baseUrl);
  assertNoUserinfo(url);
  if (policy.allowPrivateAddresses) return;
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host)) {
    const refused = refusalOf(host, host);
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
    const refused = refusalOf(host, address);
    if (refused) throw refused;
  }
}

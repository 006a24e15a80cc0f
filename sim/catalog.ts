import { Rng, WeightedTable } from './rng';

/**
 * Realistic-looking field values. Addresses are syntactically valid but invented (the /16
 * prefixes per network are plausible, not a geo database); IPv6 uses the documentation prefix
 * 2001:db8::/32; campus and corporate networks use the documentation ASN range 64496-64511.
 */

export const MODELS = {
  /** The incumbent model at the start of every simulation. */
  baseline: 'model-a-2026-01',
  /** A cheaper sibling that pinned integrations (CI bots) often use. */
  mini: 'model-a-mini-2026-01',
  /** Released partway through the window; release-chasing campaigns jump to it within hours. */
  released: 'model-b-2026-02',
} as const;

export interface Country {
  readonly code: string;
  /** Offset of local time from UTC, in hours (one representative zone per country). */
  readonly utcOffsetHours: number;
  readonly weight: number;
}

export const COUNTRIES: readonly Country[] = [
  { code: 'US', utcOffsetHours: -6, weight: 30 },
  { code: 'IN', utcOffsetHours: 5.5, weight: 10 },
  { code: 'GB', utcOffsetHours: 0, weight: 6 },
  { code: 'DE', utcOffsetHours: 1, weight: 6 },
  { code: 'BR', utcOffsetHours: -3, weight: 5 },
  { code: 'JP', utcOffsetHours: 9, weight: 5 },
  { code: 'FR', utcOffsetHours: 1, weight: 4 },
  { code: 'CA', utcOffsetHours: -5, weight: 4 },
  { code: 'KR', utcOffsetHours: 9, weight: 3 },
  { code: 'AU', utcOffsetHours: 10, weight: 3 },
  { code: 'ES', utcOffsetHours: 1, weight: 3 },
  { code: 'IT', utcOffsetHours: 1, weight: 3 },
  { code: 'NL', utcOffsetHours: 1, weight: 2 },
  { code: 'MX', utcOffsetHours: -6, weight: 2 },
  { code: 'PL', utcOffsetHours: 1, weight: 2 },
  { code: 'SE', utcOffsetHours: 1, weight: 1 },
  { code: 'SG', utcOffsetHours: 8, weight: 1 },
  { code: 'ID', utcOffsetHours: 7, weight: 2 },
  { code: 'NG', utcOffsetHours: 1, weight: 1 },
  { code: 'ZA', utcOffsetHours: 2, weight: 1 },
];

export const COUNTRY_TABLE = new WeightedTable(
  COUNTRIES,
  COUNTRIES.map((c) => c.weight),
);

export function countryByCode(code: string): Country {
  const found = COUNTRIES.find((c) => c.code === code);
  if (!found) throw new Error(`unknown country code "${code}"; add it to COUNTRIES in sim/catalog.ts`);
  return found;
}

export type NetworkKind = 'residential' | 'mobile' | 'cloud' | 'hosting' | 'campus';

export interface Network {
  readonly asn: number;
  readonly name: string;
  readonly kind: NetworkKind;
  /** Country of the network (cloud providers: the region the simulator places them in). */
  readonly country: string;
  /** First two octets of the IPv4 blocks handed out on this network. */
  readonly prefixes: readonly string[];
}

export const NETWORKS: readonly Network[] = [
  {
    asn: 7922,
    name: 'comcast',
    kind: 'residential',
    country: 'US',
    prefixes: ['73.12', '73.140', '98.207', '24.6'],
  },
  {
    asn: 20115,
    name: 'charter',
    kind: 'residential',
    country: 'US',
    prefixes: ['71.84', '97.93', '174.106'],
  },
  { asn: 7018, name: 'att', kind: 'residential', country: 'US', prefixes: ['99.108', '107.197', '76.242'] },
  { asn: 701, name: 'verizon', kind: 'residential', country: 'US', prefixes: ['71.191', '108.28', '173.66'] },
  { asn: 21928, name: 't-mobile-us', kind: 'mobile', country: 'US', prefixes: ['172.56', '172.58'] },
  { asn: 55836, name: 'jio', kind: 'mobile', country: 'IN', prefixes: ['49.36', '157.32', '152.58'] },
  { asn: 24560, name: 'airtel', kind: 'residential', country: 'IN', prefixes: ['122.161', '106.215'] },
  { asn: 2856, name: 'bt', kind: 'residential', country: 'GB', prefixes: ['81.152', '86.143', '109.150'] },
  { asn: 5089, name: 'virgin-media', kind: 'residential', country: 'GB', prefixes: ['82.24', '86.11'] },
  {
    asn: 3320,
    name: 'deutsche-telekom',
    kind: 'residential',
    country: 'DE',
    prefixes: ['79.194', '87.160', '93.199'],
  },
  { asn: 3209, name: 'vodafone-de', kind: 'mobile', country: 'DE', prefixes: ['94.134', '188.102'] },
  { asn: 26599, name: 'telefonica-br', kind: 'residential', country: 'BR', prefixes: ['177.94', '189.100'] },
  { asn: 4713, name: 'ntt-ocn', kind: 'residential', country: 'JP', prefixes: ['114.150', '153.232'] },
  { asn: 2516, name: 'kddi', kind: 'residential', country: 'JP', prefixes: ['106.128', '111.108'] },
  {
    asn: 3215,
    name: 'orange-fr',
    kind: 'residential',
    country: 'FR',
    prefixes: ['90.24', '86.246', '92.154'],
  },
  { asn: 812, name: 'rogers', kind: 'residential', country: 'CA', prefixes: ['99.224', '174.112'] },
  { asn: 4766, name: 'korea-telecom', kind: 'residential', country: 'KR', prefixes: ['121.131', '175.223'] },
  { asn: 1221, name: 'telstra', kind: 'residential', country: 'AU', prefixes: ['101.185', '120.152'] },
  { asn: 3352, name: 'telefonica-es', kind: 'residential', country: 'ES', prefixes: ['83.33', '88.8'] },
  { asn: 3269, name: 'tim', kind: 'residential', country: 'IT', prefixes: ['79.23', '87.11'] },
  { asn: 1136, name: 'kpn', kind: 'residential', country: 'NL', prefixes: ['84.80', '145.131'] },
  { asn: 8151, name: 'telmex', kind: 'residential', country: 'MX', prefixes: ['187.188', '189.203'] },
  { asn: 5617, name: 'orange-pl', kind: 'residential', country: 'PL', prefixes: ['83.24', '89.64'] },
  { asn: 3301, name: 'telia', kind: 'residential', country: 'SE', prefixes: ['78.72', '90.229'] },
  { asn: 9506, name: 'singtel', kind: 'residential', country: 'SG', prefixes: ['116.14', '220.255'] },
  { asn: 7713, name: 'telkom-id', kind: 'residential', country: 'ID', prefixes: ['36.68', '180.244'] },
  { asn: 29465, name: 'mtn-ng', kind: 'mobile', country: 'NG', prefixes: ['102.89', '105.112'] },
  {
    asn: 3741,
    name: 'internet-solutions',
    kind: 'residential',
    country: 'ZA',
    prefixes: ['196.22', '168.210'],
  },
  { asn: 16509, name: 'aws', kind: 'cloud', country: 'US', prefixes: ['3.80', '18.204', '52.14', '54.172'] },
  {
    asn: 15169,
    name: 'google-cloud',
    kind: 'cloud',
    country: 'US',
    prefixes: ['34.72', '35.185', '104.196'],
  },
  { asn: 8075, name: 'azure', kind: 'cloud', country: 'US', prefixes: ['20.42', '40.117', '52.170'] },
  {
    asn: 14061,
    name: 'digitalocean',
    kind: 'hosting',
    country: 'US',
    prefixes: ['159.65', '167.99', '206.189'],
  },
  { asn: 16276, name: 'ovh', kind: 'hosting', country: 'FR', prefixes: ['51.75', '54.37', '141.94'] },
  { asn: 24940, name: 'hetzner', kind: 'hosting', country: 'DE', prefixes: ['65.21', '95.216', '116.202'] },
  { asn: 20473, name: 'vultr', kind: 'hosting', country: 'NL', prefixes: ['45.32', '136.244'] },
  { asn: 63949, name: 'akamai-linode', kind: 'hosting', country: 'SG', prefixes: ['139.162', '172.104'] },
];

export const CLOUD_ASNS = [16509, 15169, 8075] as const;
export const HOSTING_ASNS = [14061, 16276, 24940, 20473, 63949] as const;

export function networkByAsn(asn: number): Network {
  const found = NETWORKS.find((n) => n.asn === asn);
  if (!found) throw new Error(`unknown ASN ${asn}; add it to NETWORKS in sim/catalog.ts`);
  return found;
}

/** Consumer networks (residential or mobile) of a country; any consumer network if it has none. */
export function consumerNetworks(country: string, kind: 'residential' | 'mobile'): readonly Network[] {
  const own = NETWORKS.filter((n) => n.country === country && n.kind === kind);
  if (own.length > 0) return own;
  const anyOwn = NETWORKS.filter(
    (n) => n.country === country && (n.kind === 'residential' || n.kind === 'mobile'),
  );
  if (anyOwn.length > 0) return anyOwn;
  return NETWORKS.filter((n) => n.kind === kind);
}

function octet(rng: Rng): number {
  return rng.intBetween(1, 254);
}

/** A random IPv4 address on the network. */
export function ipv4On(network: Network, rng: Rng): string {
  return `${rng.pick(network.prefixes)}.${octet(rng)}.${octet(rng)}`;
}

/** A random IPv6 address under the documentation prefix. */
export function ipv6(rng: Rng): string {
  const group = () => rng.uint32().toString(16).slice(0, 4);
  return `2001:db8:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}`;
}

/** A campus or corporate network's public NAT addresses (documentation ASN range 64496-64511). */
export function natAddresses(firstOctets: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${firstOctets}.${10 + i * 7}`);
}

export const USER_AGENTS = {
  desktopBrowsers: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:134.0) Gecko/20100101 Firefox/134.0',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36 Edg/132.0.0.0',
  ],
  mobileApps: [
    'ModelChat/3.14.2 (iPhone; iOS 18.2; Scale/3.00)',
    'ModelChat/3.14.0 (Android 15; Pixel 8)',
    'ModelChat/3.13.5 (Android 14; SM-S918B)',
    'ModelChat/3.14.2 (iPad; iPadOS 18.1; Scale/2.00)',
  ],
  sdks: [
    'model-sdk-python/1.42.0 Python/3.12.8',
    'model-sdk-python/1.39.1 Python/3.11.9',
    'model-sdk-node/4.8.0 node/20.18.1',
    'model-sdk-node/4.6.2 node/22.12.0',
    'model-sdk-go/0.9.3 go1.23.4',
  ],
  codingAgents: [
    'code-agent-cli/1.4.2 (darwin; arm64) node/20.18.1',
    'code-agent-cli/1.4.1 (linux; x64) node/22.12.0',
    'ide-assistant/0.31.0 (vscode 1.96.2; win32)',
    'ide-assistant/0.30.4 (jetbrains 2024.3; darwin)',
  ],
  scripts: ['curl/8.5.0', 'python-requests/2.32.3', 'Go-http-client/2.0', 'axios/1.7.9', 'aiohttp/3.11.11'],
} as const;

export const CONSUMER_EMAIL_DOMAINS = new WeightedTable(
  [
    'gmail.com',
    'outlook.com',
    'yahoo.com',
    'icloud.com',
    'hotmail.com',
    'proton.me',
    'gmx.de',
    'naver.com',
    'qq.com',
  ],
  [50, 14, 8, 9, 6, 4, 3, 2, 4],
);

/** Activity by local hour of day (index 0 = midnight): people sleep, so requests follow the sun. */
export const HUMAN_HOUR_WEIGHTS: readonly number[] = [
  0.25, 0.12, 0.06, 0.04, 0.04, 0.08, 0.25, 0.55, 0.9, 1.15, 1.3, 1.3, 1.15, 1.2, 1.3, 1.3, 1.2, 1.1, 1.05,
  1.15, 1.3, 1.25, 0.95, 0.55,
];

/** Students keep later hours. */
export const STUDENT_HOUR_WEIGHTS: readonly number[] = [
  0.8, 0.5, 0.25, 0.1, 0.05, 0.05, 0.1, 0.2, 0.45, 0.8, 1.1, 1.2, 1.1, 1.2, 1.3, 1.3, 1.2, 1.1, 1.0, 1.2, 1.4,
  1.5, 1.5, 1.2,
];

/** Office hours with a lunch dip. */
export const WORK_HOUR_WEIGHTS: readonly number[] = [
  0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.3, 1.0, 1.4, 1.5, 1.3, 0.8, 1.2, 1.5, 1.5, 1.3, 0.9, 0.4, 0.2,
  0.15, 0.12, 0.08, 0.04,
];

const cgnatPools = new Map<number, readonly string[]>();

/**
 * A mobile network's carrier-grade NAT addresses: a small pool shared by every subscriber, so
 * unrelated phone users routinely share an IP (the same for every seed, like a real carrier).
 */
export function cgnatPool(network: Network): readonly string[] {
  let pool = cgnatPools.get(network.asn);
  if (!pool) {
    const rng = Rng.of('cgnat', network.asn);
    pool = Array.from({ length: 48 }, () => ipv4On(network, rng));
    cgnatPools.set(network.asn, pool);
  }
  return pool;
}

/** Fictional organisations (names only; any resemblance is accidental). */
export const COMPANY_NAMES: readonly string[] = [
  'acme-logistics',
  'brightpath-bank',
  'cobalt-retail',
  'dunmore-health',
  'evergreen-insure',
  'fjord-analytics',
  'granite-telecom',
  'harbor-freight-tech',
  'ionic-games',
  'juniper-media',
  'kestrel-energy',
  'lumen-pharma',
  'meridian-travel',
  'northwind-software',
  'orchard-foods',
  'pinnacle-auto',
];

export const RESEARCH_DOMAINS: readonly string[] = [
  'cs.ridgeview.edu',
  'eecs.lakeshore.edu',
  'inf.hochstadt.de',
  'cs.kitamura-u.ac.jp',
  'ml.marlowe.ac.uk',
  'ai.montclair-tech.edu',
  'cs.valdoria.edu',
  'lab.evalworks.ai',
  'research.tensorfield.ai',
  'quantbench.io',
];

export const RESELLER_DOMAINS: readonly string[] = [
  'aigateway-hub.com',
  'promptrouter.io',
  'llm-bridge.net',
  'unifiedapi.dev',
  'chatrelay.app',
  'modelmux.com',
];

/** Cheap domains campaigns register for throwaway sign-ups (alongside bought consumer accounts). */
export const THROWAWAY_DOMAINS: readonly string[] = [
  'mailbox-relay.net',
  'inboxrelay.io',
  'quickpost-mail.com',
  'tmpbox.org',
];

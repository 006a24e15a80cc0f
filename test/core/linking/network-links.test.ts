import type { AccountState } from '../../../lambdas/core/account-state';
import { ClusterLookup, exploreCluster } from '../../../lambdas/core/linking/cluster-engine';
import { weighLink } from '../../../lambdas/core/linking/edge-weights';
import { footprintLinkKey, signupBurstLinkKey } from '../../../lambdas/core/linking/link-keys';
import { scoreAccount } from '../../../lambdas/core/batch/account-scorer';
import { MemoryAccountStore, MemoryLinkStore } from '../../../local/replay/memory-adapters';
import { makeEvent, minutesAfter, sequenced } from '../../support/events';
import { neutralAccountState } from '../../support/account-state';
import { testPolicy } from '../../support/policy';
import type { LinkEdge } from '../../../lambdas/core/linking/link-keys';
import { emptyBucket, type HourBucket } from '../../../lambdas/core/scoring/window';

const policy = testPolicy();
const T0 = '2026-02-02T00:00:00.000Z';
const CREATED = '2026-02-01T13:27:00.000Z';

let n = 0;
function account(overrides: Partial<AccountState> = {}): AccountState {
  n += 1;
  return neutralAccountState({
    accountId: `net-${n}`,
    emailDomain: `mail-${n}.example`,
    accountCreatedAt: CREATED,
    firstEventAt: T0,
    lastEventAt: T0,
    ...overrides,
  });
}

const many = (count: number, overrides: (i: number) => Partial<AccountState>) =>
  Array.from({ length: count }, (_, i) => account(overrides(i)));

/** One hour of traffic with this many extraction-shaped requests (`ex` counts halves). */
const hourWith = (requests: number, extractionShaped: number): HourBucket => ({
  ...emptyBucket(491_000),
  n: requests,
  ex: extractionShaped * 2,
});

describe('Network footprints and sign-up bursts', () => {
  describe('Function: scoreAccount', () => {
    it('links an account to its sign-up burst at once and to its network footprint once it uses two networks', () => {
      // Prepare
      const asns = [64501, 64500, 64501, 64502, 64503, 64504, 64505];
      const events = asns.map((asn, i) =>
        makeEvent({ accountId: 'rotator', asn, accountCreatedAt: CREATED, ts: minutesAfter(T0, i) }),
      );

      // Act
      const first = scoreAccount(undefined, sequenced(events.slice(0, 1)), policy);
      const all = scoreAccount(undefined, sequenced(events), policy);

      // Assess
      expect(first.state.linkKeys).toContain('burst#64501#2026-02-01T13');
      expect(first.state.linkKeys.some((k) => k.startsWith('asn#'))).toBe(false);
      expect(all.state.asns).toEqual([64501, 64500, 64502, 64503]);
      expect(all.state.linkKeys.filter((k) => k.startsWith('asn#'))).toEqual([
        'asn#64500+64501',
        'asn#64500+64501+64502',
        'asn#64500+64501+64502+64503',
      ]);
      expect(all.state.linkKeys.filter((k) => k.startsWith('burst#'))).toEqual(['burst#64501#2026-02-01T13']);
      expect(all.newLinks.map((l: LinkEdge) => l.kind).sort()).toEqual(
        expect.arrayContaining(['asn', 'burst', 'ip', 'pay', 'dev']),
      );
    });

    it('keeps the footprint it has when later requests carry no ASN', () => {
      // Prepare
      const events = [64500, null, 64510].map((asn, i) =>
        makeEvent({ accountId: 'partial', asn, ts: minutesAfter(T0, i) }),
      );

      // Act
      const update = scoreAccount(undefined, sequenced(events), policy);

      // Assess
      expect(update.state.asns).toEqual([64500, 64510]);
      expect(footprintLinkKey(update.state.asns)).toBe('asn#64500+64510');
      expect(signupBurstLinkKey(update.state.accountCreatedAt, undefined)).toBeNull();
    });
  });

  describe('Function: weighLink', () => {
    it('gives a footprint or burst shared by a few unrelated accounts its full weight', () => {
      // Act
      const footprint = weighLink(
        'asn#16276+20473+24940',
        many(12, () => ({})),
        false,
        policy,
      );
      const burst = weighLink(
        'burst#16276#2026-02-01T13',
        many(12, () => ({})),
        false,
        policy,
      );

      // Assess
      expect(footprint).toMatchObject({ kind: 'asn', weight: policy.links.weights.asn, discount: null });
      expect(burst).toMatchObject({ kind: 'burst', weight: policy.links.weights.burst, discount: null });
    });

    it("discounts an organization's own accounts created together as ordinary provisioning", () => {
      // Act
      const link = weighLink(
        'burst#16509#2026-02-01T09',
        many(30, () => ({ orgId: 'org-ci' })),
        false,
        policy,
      );

      // Assess
      expect(link.weight).toBeLessThan(policy.clusters.weakEdgeFloor);
      expect(link.discount).toMatch(/inside org org-ci/);
    });

    it('discounts a term-start burst of one campus as a campus network', () => {
      // Act
      const link = weighLink(
        'burst#64496#2026-01-12T10',
        many(60, (i) => ({ emailDomain: i % 10 === 0 ? 'gmail.example' : 'uni.example' })),
        true,
        policy,
      );

      // Assess
      expect(link.weight).toBeLessThan(policy.clusters.weakEdgeFloor);
      expect(link.discount).toMatch(/campus or company: 90% of 60\+ accounts on uni\.example/);
    });

    it('discounts a crowded footprint of ordinary accounts but not one of risky accounts', () => {
      // Prepare
      const ordinary = many(200, () => ({ riskScore: 8 }));
      const risky = many(200, () => ({ riskScore: 55 }));

      // Act
      const isp = weighLink('asn#701+21928', ordinary, true, policy);
      const proxyPool = weighLink('asn#16276+20473+24940', risky, true, policy);

      // Assess
      expect(isp.weight).toBeLessThan(policy.clusters.weakEdgeFloor);
      expect(isp.discount).toMatch(/ordinary network footprint: 200\+ accounts with typical score 8/);
      expect(proxyPool).toMatchObject({ weight: policy.links.weights.asn, discount: null });
    });

    it('does not discount the address or burst of a burner wave: thin accounts sending extraction-shaped traffic (links.proxyExitShare)', () => {
      // Prepare: burners on one throwaway domain, 20 requests in all, 4 extraction-shaped (20%);
      // a campus NAT where one heavy account sends nothing else and the rest 1 of 40 (2.5%); a
      // hackathon venue and an office of busy accounts sending the burners' share
      const burners = many(60, () => ({
        emailDomain: 'tmpbox.example',
        riskScore: 6,
        totalRequests: 20,
        buckets: [hourWith(20, 4)],
      }));
      const campus = many(60, (i) => ({
        emailDomain: 'uni.example',
        riskScore: 6,
        totalRequests: i === 0 ? 2_000 : 40,
        buckets: [i === 0 ? hourWith(2_000, 2_000) : hourWith(40, 1)],
      }));
      const venue = many(60, () => ({ riskScore: 20, totalRequests: 400, buckets: [hourWith(200, 40)] }));
      const office = many(60, () => ({
        orgId: 'org-support',
        emailDomain: 'support.example',
        riskScore: 20,
        totalRequests: 30,
        buckets: [hourWith(20, 4)],
      }));

      // Act
      const exit = weighLink('ip#198.51.100.7', burners, true, policy);
      const wave = weighLink('burst#64496#2026-02-01T13', burners, true, policy);
      const nat = weighLink('ip#192.0.2.10', campus, true, policy);
      const hackathon = weighLink('ip#192.0.2.20', venue, true, policy);
      const desks = weighLink('ip#192.0.2.30', office, true, policy);
      const without = weighLink('ip#198.51.100.7', burners, true, {
        ...policy,
        links: { ...policy.links, proxyExitShare: undefined },
      });

      // Assess
      expect(policy.links.proxyExitShare).toBe(0.1);
      expect(exit).toMatchObject({ weight: policy.links.weights.ip, discount: null });
      expect(wave).toMatchObject({ weight: policy.links.weights.burst, discount: null });
      for (const ordinary of [nat, hackathon, desks, without])
        expect(ordinary.weight).toBeLessThan(policy.clusters.weakEdgeFloor);
      expect(nat.discount).toMatch(/NAT: 100% of 60\+ accounts on uni\.example/);
      expect(hackathon.discount).toMatch(/crowded address: 60\+ accounts/);
      expect(desks.discount).toMatch(/NAT: 100% of 60\+ accounts on support\.example/);
      expect(without.discount).toMatch(/NAT/);
    });
  });

  describe('Function: exploreCluster', () => {
    async function clusterOf(memberKeys: readonly string[], seedKeys: readonly string[]) {
      const accounts = new MemoryAccountStore();
      const links = new MemoryLinkStore();
      const seed = account({ linkKeys: [...seedKeys], riskScore: 40 });
      const members = many(5, () => ({ linkKeys: [...memberKeys], riskScore: 40 }));
      for (const state of [seed, ...members]) {
        await accounts.save(state, undefined);
        await links.put(
          state.linkKeys.map((linkKey) => ({
            linkKey,
            accountId: state.accountId,
            kind: linkKey.startsWith('ip#') ? 'ip' : linkKey.startsWith('asn#') ? 'asn' : 'burst',
            firstSeenAt: T0,
          })),
        );
      }
      return exploreCluster(seed, new ClusterLookup(accounts, links, []), policy);
    }

    it('joins accounts whose weak edges add up past the edge threshold, and names each edge', async () => {
      // Act
      const cluster = await clusterOf(
        ['ip#203.0.113.9', 'burst#20473#2026-02-01T13'],
        ['ip#203.0.113.9', 'burst#20473#2026-02-01T13'],
      );

      // Assess: 1 - (1 - 0.35)(1 - 0.4) = 0.61 >= 0.5
      expect(cluster.members).toHaveLength(6);
      expect(cluster.links.map((l) => [l.kind, l.weight])).toEqual([
        ['ip', policy.links.weights.ip],
        ['burst', policy.links.weights.burst],
      ]);
    });

    describe('template bands (links.minSharedTemplates, links.minTemplateHolders)', () => {
      /** Saves accounts holding template keys, each sender on topics of its own (templates, not one question). */
      async function explore(
        seedKeys: readonly string[],
        others: ReadonlyArray<readonly string[]>,
        p = policy,
      ) {
        const accounts = new MemoryAccountStore();
        const links = new MemoryLinkStore();
        const seed = account({ linkKeys: [...seedKeys], riskScore: 40 });
        const rest = others.map((keys) => account({ linkKeys: [...keys], riskScore: 40 }));
        for (const [i, state] of [seed, ...rest].entries()) {
          await accounts.save(state, undefined);
          await links.put(
            state.linkKeys.map((linkKey) => ({
              linkKey,
              accountId: state.accountId,
              kind: 'tpl' as const,
              firstSeenAt: T0,
              entity: `a:${state.accountId}`,
              tag: `t${i}`,
            })),
          );
        }
        const cluster = await exploreCluster(seed, new ClusterLookup(accounts, links, []), p);
        return { cluster, seed, rest };
      }
      const campaign = ['tpl#0:aaaa', 'tpl#1:bbbb', 'tpl#2:cccc'];

      it('joins the accounts of a campaign through the templates they all hold', async () => {
        // Act
        const { cluster } = await explore(campaign, [campaign, campaign, campaign.slice(0, 2)]);

        // Assess
        expect(policy.links.minTemplateHolders).toBe(3);
        expect(cluster.members).toHaveLength(4);
        expect(cluster.templateLinked.size).toBe(4);
      });

      it('does not join a busy account meeting the campaign in two bands only one campaign account holds', async () => {
        // Prepare: the seed's own one-off bands, met by chance by an ordinary account
        const seedKeys = [...campaign, 'tpl#0:0d0d', 'tpl#3:3e3e'];
        const busy = ['tpl#0:0d0d', 'tpl#3:3e3e', 'tpl#1:1f1f', 'tpl#2:2a2a'];

        // Act
        const { cluster, rest } = await explore(seedKeys, [campaign, campaign, busy]);
        const { orgBillingLimit: _o, minTemplateHolders: _h, ...before } = policy.links;
        const { cluster: withoutHolders } = await explore(seedKeys, [campaign, campaign, busy], {
          ...policy,
          links: before,
        });

        // Assess: the campaign joins; the busy account only when every shared band counts
        expect(cluster.members.map((m) => m.accountId)).not.toContain(rest[2]?.accountId);
        expect(cluster.members).toHaveLength(3);
        expect(withoutHolders.members).toHaveLength(4);
      });
    });

    it('does not join accounts on one weak edge alone', async () => {
      // Act
      const sharedAddress = await clusterOf(['ip#203.0.113.9'], ['ip#203.0.113.9']);
      const sharedFootprint = await clusterOf(['asn#16276+20473'], ['asn#16276+20473']);

      // Assess
      expect(sharedAddress.members).toHaveLength(1);
      expect(sharedFootprint.members).toHaveLength(1);
    });
  });
});

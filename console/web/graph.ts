import cytoscape, { type Core, type ElementDefinition, type EventObject } from 'cytoscape';
import type { AccountView, ClusterEvidence } from '../shared/api';

/** Colours of the link kinds: the edge and the shared-attribute node it ends on. */
export const KIND_COLOURS: Readonly<Record<string, string>> = {
  pay: '#d97706',
  dev: '#7c3aed',
  ip: '#0891b2',
  tpl: '#db2777',
  asn: '#4b5563',
  burst: '#16a34a',
};
export const KIND_NAMES: Readonly<Record<string, string>> = {
  pay: 'card',
  dev: 'device',
  ip: 'IP address',
  tpl: 'prompt template',
  asn: 'network footprint',
  burst: 'sign-up burst',
};

type Member = ClusterEvidence['members'][number];
type Link = ClusterEvidence['links'][number];

export interface GraphSelection {
  readonly kind: 'member';
  readonly member: Member;
}
export interface LinkSelection {
  readonly kind: 'link';
  readonly link: Link;
  readonly index: number;
  /** The member the clicked edge comes from (absent when the shared attribute itself was clicked). */
  readonly member?: Member;
  readonly holders: readonly Member[];
}

export interface GraphStats {
  readonly members: number;
  readonly links: number;
  readonly edges: number;
  /** Layout and first render, measured in the browser (performance.now). */
  readonly drawMs: number;
}

/** A reinstated account shows as such, whatever its score says now. */
export function displayedStatus(account: AccountView | undefined): string | undefined {
  if (!account) return undefined;
  return account.reinstatement && account.status !== 'SUSPENDED' ? 'REINSTATED' : account.status;
}

/** Fill by score: green under 40, amber to 70, red above. */
export function scoreColour(score: number): string {
  const s = Math.max(0, Math.min(100, score));
  const hue = s < 40 ? 130 : s < 70 ? 130 - ((s - 40) / 30) * 95 : 35 - ((s - 70) / 30) * 35;
  return `hsl(${Math.round(hue)}, 70%, ${s >= 70 ? 48 : 45}%)`;
}

/**
 * The cluster graph, drawn from the case's frozen evidence alone: every member is a node (sized by
 * its requests, filled by its score, outlined by its status), every shared link of the evidence a
 * small node of its kind, and every (member, link) pair the evidence records an edge of that kind,
 * as thick as the link's weight and dashed where a discount applies.
 */
export function elementsOf(
  evidence: ClusterEvidence,
  current: ReadonlyMap<string, AccountView> = new Map(),
): ElementDefinition[] {
  const maxRequests = Math.max(1, ...evidence.members.map((m) => m.totalRequests ?? 0));
  const elements: ElementDefinition[] = [];
  evidence.links.forEach((link, index) => {
    elements.push({
      group: 'nodes',
      data: {
        id: `l${index}`,
        label: `${KIND_NAMES[link.kind] ?? link.kind}`,
        kind: link.kind,
        colour: KIND_COLOURS[link.kind] ?? '#888',
        index,
      },
      classes: `link ${link.discount ? 'discounted' : ''}`,
    });
  });
  evidence.members.forEach((member, m) => {
    const status = displayedStatus(current.get(member.accountId)) ?? member.status;
    elements.push({
      group: 'nodes',
      data: {
        id: `m${m}`,
        accountId: member.accountId,
        label: member.accountId,
        fill: scoreColour(member.riskScore),
        size: 14 + 36 * Math.sqrt((member.totalRequests ?? 0) / maxRequests),
        status,
      },
      classes: `member status-${status.toLowerCase()}`,
    });
    for (const index of member.links ?? []) {
      const link = evidence.links[index];
      if (!link) continue;
      elements.push({
        group: 'edges',
        data: {
          id: `e${m}-${index}`,
          source: `m${m}`,
          target: `l${index}`,
          colour: KIND_COLOURS[link.kind] ?? '#888',
          width: 1 + 5 * link.weight,
          member: m,
          index,
        },
        classes: link.discount ? 'discounted' : '',
      });
    }
  });
  return elements;
}

export interface DrawnGraph {
  readonly cy: Core;
  readonly stats: GraphStats;
  /** Selects and centres the first member whose account id contains `text`; false if none. */
  find(text: string): boolean;
  /** Recolours the members' outlines from their current status. */
  updateStatus(current: ReadonlyMap<string, AccountView>): void;
}

export function drawGraph(
  container: HTMLElement,
  evidence: ClusterEvidence,
  current: ReadonlyMap<string, AccountView>,
  onSelect: (selection: GraphSelection | LinkSelection) => void,
): DrawnGraph {
  const started = performance.now();
  const elements = elementsOf(evidence, current);
  const big = evidence.members.length > 150;
  const cy = cytoscape({
    container,
    elements,
    minZoom: 0.05,
    maxZoom: 6,
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    pixelRatio: 1,
    style: [
      {
        selector: 'node.member',
        style: {
          'background-color': 'data(fill)',
          width: 'data(size)',
          height: 'data(size)',
          label: 'data(label)',
          'font-size': 9,
          'min-zoomed-font-size': 8,
          'text-valign': 'bottom',
          'text-margin-y': 2,
          'border-width': 3,
          'border-color': '#7f1d1d',
        },
      },
      {
        selector: 'node.status-active',
        style: { 'border-color': '#15803d', 'border-style': 'double', 'border-width': 5 },
      },
      { selector: 'node.status-review', style: { 'border-color': '#b45309' } },
      {
        selector: 'node.link',
        style: {
          shape: 'diamond',
          width: 18,
          height: 18,
          'background-color': 'data(colour)',
          label: 'data(label)',
          'font-size': 10,
          'font-weight': 'bold',
          color: 'data(colour)',
          'min-zoomed-font-size': 6,
        },
      },
      {
        selector: 'node.link.discounted',
        style: {
          'background-opacity': 0.45,
          'border-width': 1,
          'border-style': 'dashed',
          'border-color': '#111',
        },
      },
      {
        selector: 'edge',
        style: {
          width: 'data(width)',
          'line-color': 'data(colour)',
          opacity: 0.7,
          'curve-style': 'haystack',
        },
      },
      {
        selector: 'edge.discounted',
        style: { 'line-style': 'dashed', opacity: 0.45, 'curve-style': 'straight' },
      },
      {
        selector: ':selected',
        style: { 'overlay-color': '#1d4ed8', 'overlay-opacity': 0.25, 'overlay-padding': 6 },
      },
    ],
    layout: {
      name: 'cose',
      animate: false,
      randomize: false,
      numIter: big ? 250 : 1000,
      nodeRepulsion: () => (big ? 6000 : 8000),
      idealEdgeLength: () => (big ? 40 : 60),
      gravity: 1,
      nodeDimensionsIncludeLabels: false,
    },
  });
  // The first frame is drawn synchronously by a forced render; stop the clock after it.
  cy.forceRender();
  const drawMs = performance.now() - started;
  const stats: GraphStats = {
    members: cy.nodes('.member').length,
    links: cy.nodes('.link').length,
    edges: cy.edges().length,
    drawMs,
  };
  container.dataset.members = String(stats.members);
  container.dataset.links = String(stats.links);
  container.dataset.edges = String(stats.edges);
  container.dataset.drawMs = drawMs.toFixed(1);

  const holdersOf = (index: number) => evidence.members.filter((m) => (m.links ?? []).includes(index));
  cy.on('tap', 'node.member', (event: EventObject) => {
    const member = evidence.members[Number(String(event.target.id()).slice(1))];
    if (member) onSelect({ kind: 'member', member });
  });
  cy.on('tap', 'node.link', (event: EventObject) => {
    const index = Number(event.target.data('index'));
    const link = evidence.links[index];
    if (link) onSelect({ kind: 'link', link, index, holders: holdersOf(index) });
  });
  cy.on('tap', 'edge', (event: EventObject) => {
    const index = Number(event.target.data('index'));
    const link = evidence.links[index];
    const member = evidence.members[Number(event.target.data('member'))];
    if (link)
      onSelect({ kind: 'link', link, index, holders: holdersOf(index), ...(member ? { member } : {}) });
  });

  return {
    cy,
    stats,
    find: (text) => {
      const wanted = text.trim().toLowerCase();
      if (!wanted) return false;
      const hit = cy
        .nodes('.member')
        .filter((n) => String(n.data('accountId')).toLowerCase().includes(wanted))
        .first();
      if (hit.empty()) return false;
      cy.elements().unselect();
      hit.select();
      cy.animate({ center: { eles: hit }, zoom: Math.max(cy.zoom(), 1.5) }, { duration: 150 });
      hit.emit('tap');
      return true;
    },
    updateStatus: (now) => {
      cy.batch(() => {
        cy.nodes('.member').forEach((node) => {
          const status = displayedStatus(now.get(String(node.data('accountId'))));
          if (!status) return;
          node.removeClass('status-active status-review status-suspended status-reinstated');
          node.addClass(`status-${status.toLowerCase()}`);
          node.data('status', status);
        });
      });
    },
  };
}
